# Cases for BusyBox ash under the vkernel (tests/vkernel-test.sh): the
# script runs natively and as a guest, and both outputs must be the same.
# Each case prints a line starting with its number.
bb=/bin/busybox
echo "1 echo: hello world"
echo "2 pipe: $(echo hi | $bb cat)"
echo "3 ls /bin | wc -l: $(ls /bin | $bb wc -l)"
$bb cat /tests/vk/data.txt | $bb sed 's/^/4 cat file: /'
mkdir -p /tmp
echo "5 wc -c: $($bb wc -c < /tests/vk/data.txt)"
( echo "6 subshell $((1 + 2))"; exit 5 )
echo "6 subshell status $?"
$bb sleep 0 &
wait $!
echo "7 fork and wait: status $?"
$bb sh -c 'exit 3'
echo "8 exit status $?"
$bb sh -c "exec $bb echo '9 exec: replaced the shell'"
x=$($bb echo upper | $bb tr a-z A-Z)
echo "10 command substitution: $x"
trap 'echo "11 trap: got USR1"' USR1
kill -USR1 $$
echo "12 after the trap"
$bb sh -c 'kill -TERM $$; echo not reached'
echo "13 killed child: status $?"
printf 'a\nb\nc\n' | while read l; do echo "14 read loop: $l"; done
$bb cat <<END
15 here-document
END
$bb seq 1 5 | $bb sort -r | $bb head -n 2 | $bb sed 's/^/16 sort: /'
echo "17 big pipe: $($bb seq 1 20000 | $bb wc -l) $($bb seq 1 20000 | $bb tail -n 1)"
echo "18 md5sum: $(echo abc | $bb md5sum)"
cd /bin && echo "19 cd: $(pwd)"
cd /
$bb false
echo "20 false: $?"
$bb ls /nonexistent 2>&1 | $bb sed 's/^/21 /'
echo "written" > /tmp/vk.$$
echo "22 redirect: $($bb cat /tmp/vk.$$)"
$bb rm /tmp/vk.$$
echo "23 globbing: $(echo /tests/vk/d*.txt)"
$bb yes | $bb head -n 3 | $bb tr '\n' ' ' | $bb sed 's/^/24 yes | head: /'
echo
i=0
while [ $i -lt 20 ]; do $bb true; i=$((i + 1)); done
echo "25 a loop of 20 forks and execs: $i"
# (not the time: the two runs are two boots)
$bb ls -l /tests/vk/data.txt | $bb awk '{ print "26 ls -l: " $1, $5, $NF }'
$bb find /tests/vk -name 'd*' | $bb sed 's/^/27 find: /'
$bb awk '{ n += NF } END { print "28 awk: " NR " lines, " n " words" }' /tests/vk/data.txt
printf 'b\na\nb\nc\n' | $bb sort | $bb uniq -c | $bb tr -s ' ' | $bb sed 's/^/29 uniq:/'
echo "30 gzip: $($bb gzip -c /tests/vk/data.txt | $bb gunzip | $bb sha256sum)"
echo "31 expr: $($bb expr 6 \* 7) $($bb basename /a/b/c.txt .txt) $($bb dirname /a/b/c)"
echo "32 tee" | $bb tee /tmp/vk.tee.$$
$bb cat /tmp/vk.tee.$$ | $bb sed 's/^/32 again: /'
$bb rm /tmp/vk.tee.$$
echo "33 od: $(printf 'AB' | $bb od -An -tx1)"
echo "34 uname: $($bb uname -s) id: $($bb id -u)"
$bb test -d /bin && echo "35 test -d /bin"
echo "36 xargs: $(echo a b c | $bb xargs -n 1 echo | $bb tr '\n' ,)"
$bb find /tests/vk -name 'data*' -exec $bb wc -l {} \; | $bb sed 's/^/37 find -exec: /'
exec 3>&1
echo "38 exec 3>&1" >&3
exec 3>&-
echo "39 dd: $($bb dd if=/tests/vk/data.txt bs=4 count=2 2>/tmp/vk.dd.$$)"
$bb rm /tmp/vk.dd.$$
echo "40 head -c: $($bb head -c 7 /tests/vk/data.txt)"
t0=$($bb date +%s)
$bb sleep 1
t1=$($bb date +%s)
echo "41 sleep 1: $((t1 - t0 >= 1))"
echo "42 read: $(read x < /tests/vk/data.txt; echo $x)"
echo "43 timeout: $($bb timeout 1 $bb sleep 5 2>&1; echo $?)"
echo "44 nested: $(echo $(echo $(echo deep)))"
$bb seq 1 100000 > /tmp/vk.big.$$
echo "45 big file: $($bb cat /tmp/vk.big.$$ | $bb wc -l) $($bb wc -c < /tmp/vk.big.$$)"
$bb rm /tmp/vk.big.$$
echo "46 printf: $(printf '%05d %s' 42 x)"
echo "47 done"
