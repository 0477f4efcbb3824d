# The named differences the differential tests allow (tests/diff-test.sh):
# a case lists the rules that apply to it on its "## NAME RULE..." line,
# and each rule rewrites both kernels' outputs the same way before they
# are compared.  A rule is a function rule_NAME, a filter from stdin to
# stdout; each says what differs and why it may.  Nothing else may
# differ.

# dates: the current date and time (ls -l's modification times, date):
# the two boots do not happen at the same moment.
rule_dates() {
	sed -E -e 's/[A-Z][a-z]{2} +[0-9]{1,2} +([0-9]{2}:[0-9]{2}|[0-9]{4})/DATE/g' \
		-e 's/^[A-Z][a-z]{2} DATE:[0-9]{2} UTC [0-9]{4}$/DATE/'
}

# pids: process ids, in the first column of ps: each boot numbers its
# processes in its own order (Linux's kernel threads take pids too).
rule_pids() {
	sed -E 's/^ *[0-9]+ /PID /'
}

# pstime: ps's TIME column, CPU time used, which the two kernels account
# in their own ticks.
rule_pstime() {
	sed -E 's/ [0-9]+:[0-9]{2} / T:TT /'
}

# memfigures: memory sizes (free): the kernels differ in size and use.
rule_memfigures() {
	sed -E 's/[0-9]+/N/g'
}

# kernelname: uname's system name, node name, release and version: the
# project's own (ABI.md) against Linux's "Linux (none) 6.1.0-... #1 SMP
# PREEMPT_DYNAMIC Debian ...".  The machine stays compared.
rule_kernelname() {
	sed -E -e 's/^(Linux|vmkern)$/KERNEL/' \
		-e 's/^(Linux|vmkern) .* (x86_64 GNU\/Linux)$/KERNEL \2/'
}

# times: the real, user and system times `time` reports.
rule_times() {
	sed -E 's/[0-9]+m [0-9]+\.[0-9]+s/Nm N.NNs/'
}
