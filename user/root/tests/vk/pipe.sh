echo hi | cat; ls /bin | wc -l
