# tests/shutdown-test.sh: init (this shell) exits while children of its
# own still run; the kernel reports the status and stops the machine.
sleep 100 &
sleep 100 &
exit 3
