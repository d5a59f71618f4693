// SPDX-License-Identifier: GPL-2.0
/*
 * Replay driver: runs files through a harness's LLVMFuzzerTestOneInput()
 * without libFuzzer, so that the corpus doubles as a regression test on
 * machines without clang (linked with gcc and the unit tests' flags).
 *
 *   replay [-v] PATH...
 *
 * A PATH that is a directory stands for every regular file in it, in name
 * order. -v prints each file name before running it. A broken invariant
 * abort()s; the exit status is then non-zero and the last file named (with
 * -v) is the culprit.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz.h"

static int verbose;
static unsigned int replayed;

static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!fp) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			unsigned char *nb;

			cap = cap ? 2 * cap : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				fclose(fp);
				free(buf);
				fprintf(stderr, "%s: out of memory\n", path);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, fp);
		if (!n)
			break;
		len += n;
	}
	if (ferror(fp)) {
		perror(path);
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	if (verbose)
		fprintf(stderr, "replay %s (%zu octets)\n", path, len);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	replayed++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;
	struct stat st;
	int ret = 0;

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;

			cap = cap ? 2 * cap : 64;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn) {
				ret = -1;
				break;
			}
			names = nn;
		}
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			ret = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!ret && !stat(path, &st) && S_ISREG(st.st_mode) &&
		    run_file(path))
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	struct stat st;
	int i, ret = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
			continue;
		}
		if (stat(argv[i], &st)) {
			perror(argv[i]);
			ret = 1;
		} else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) :
			   run_file(argv[i])) {
			ret = 1;
		}
	}
	printf("%s: %u inputs replayed\n", argv[0], replayed);
	return ret;
}
