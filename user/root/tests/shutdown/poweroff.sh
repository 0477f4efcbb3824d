# tests/shutdown-test.sh: BusyBox's poweroff without -f signals init
# (SIGUSR2), which ends this shell before it goes on.
poweroff
sleep 10
echo not reached
