/*
 * big1m: the program fork_exec_1m (bench.c) runs: a static binary of a
 * little more than 1 MiB, nearly all of it an initialized array in .data
 * that it never touches, so that exec's cost for the file's size shows
 * (Linux maps it copy-on-write and reads none of it).  Exits 0.
 */

__attribute__((used)) char big1m_data[1 << 20] = { 1 };

int
main(void)
{
	return 0;
}
