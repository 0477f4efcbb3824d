# 100 forks and execs of BusyBox, each a new guest in a new vmspace: the
# vkernel must give back the descriptors of every guest that ends (it
# has 256 host fds in all), and this is also a measure of fork and exec.
i=0
while [ $i -lt 100 ]; do /bin/busybox true; i=$((i + 1)); done
echo "forks: $i"
