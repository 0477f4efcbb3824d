echo hi | wc -l
