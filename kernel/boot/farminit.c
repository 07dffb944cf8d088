/*
 * farminit: the /init of scripts/test-boot.sh's initramfs, built with the class's own CFLAGS
 * (gcc -m32 -static -march=...). The initramfs holds the class's published root, so /init checks
 * what a diskless node of the class needs: mounts, the class's farmmark module and a program
 * emerge built for the class (/usr/bin/nodereport, dynamically linked against /lib/ld-linux.so.2).
 * test-boot.sh judges the boot by these console lines, never by qemu's exit status:
 *   FARMBOOT-INIT class=C release=R machine=M
 *   FARMBOOT-MOUNT devtmpfs=ok tmpfs=ok overlay=ok     (tmpfs layers over /etc and /var, as stateless.sh)
 *   farmmark: FARMMARK-LOADED class=C release=R        (printed by the module itself)
 *   FARMBOOT-INSMOD ok | FARMBOOT-INSMOD failed: <errno text> (<path>)
 *   FARMBOOT-ROOTPROG-OUT: <each line the program printed>
 *   FARMBOOT-ROOTPROG ok exit=0 program=P | FARMBOOT-ROOTPROG failed status=0x.. <exit=N | signal=N (name)> program=P
 *   FARMBOOT-DONE
 * The class comes from the kernel command line (farmclass=C arrives as an environment variable).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROGRAM "/usr/bin/nodereport"

static const char *result(int rc) { return rc == 0 ? "ok" : strerror(errno); }

/* A tmpfs-backed overlay over /DIR, as stateless.sh stacks over /etc and /var. */
static int overlay(const char *dir)
{
	char upper[64], work[64], opts[256];
	snprintf(upper, sizeof upper, "/mnt/%s-upper", dir);
	snprintf(work, sizeof work, "/mnt/%s-work", dir);
	mkdir(upper, 0755);
	mkdir(work, 0755);
	snprintf(opts, sizeof opts, "lowerdir=/%s,upperdir=%s,workdir=%s", dir, upper, work);
	snprintf(upper, sizeof upper, "/%s", dir);
	return mount("overlay", upper, "overlay", 0, opts);
}

/* Fork+exec PROGRAM, print its output prefixed, then its wait status. */
static void run_root_program(void)
{
	char *argv[] = { PROGRAM, NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", NULL };
	char line[512];
	int fds[2], status;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		dprintf(1, "FARMBOOT-ROOTPROG failed: pipe: %s program=%s\n", strerror(errno), PROGRAM);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execve(PROGRAM, argv, envp);
		dprintf(1, "exec: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	FILE *out = fdopen(fds[0], "r");
	while (out && fgets(line, sizeof line, out))
		dprintf(1, "FARMBOOT-ROOTPROG-OUT: %s%s", line, strchr(line, '\n') ? "" : "\n");
	if (out)
		fclose(out);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		dprintf(1, "FARMBOOT-ROOTPROG failed: fork/wait: %s program=%s\n", strerror(errno), PROGRAM);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		dprintf(1, "FARMBOOT-ROOTPROG ok exit=0 program=%s\n", PROGRAM);
	else if (WIFEXITED(status))
		dprintf(1, "FARMBOOT-ROOTPROG failed status=0x%04x exit=%d program=%s\n",
			status, WEXITSTATUS(status), PROGRAM);
	else
		dprintf(1, "FARMBOOT-ROOTPROG failed status=0x%04x signal=%d (%s) program=%s\n",
			status, WTERMSIG(status), strsignal(WTERMSIG(status)), PROGRAM);
}

int main(void)
{
	struct utsname u;
	char path[256], params[128];
	const char *cls = getenv("farmclass");

	if (!cls)
		cls = "unknown";
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	const char *devtmpfs = result(mount("devtmpfs", "/dev", "devtmpfs", 0, NULL));
	if (fcntl(1, F_GETFD) < 0) { /* the initramfs had no /dev/console: take it from devtmpfs */
		int fd = open("/dev/console", O_RDWR);
		dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
	}
	uname(&u);
	dprintf(1, "FARMBOOT-INIT class=%s release=%s machine=%s\n", cls, u.release, u.machine);

	const char *tmpfs = result(mount("tmpfs", "/mnt", "tmpfs", 0, "mode=0755")), *ovl = "skipped";
	if (strcmp(tmpfs, "ok") == 0) {
		int rc = overlay("etc");
		ovl = result(rc != 0 ? rc : overlay("var"));
	}
	dprintf(1, "FARMBOOT-MOUNT devtmpfs=%s tmpfs=%s overlay=%s\n", devtmpfs, tmpfs, ovl);

	snprintf(path, sizeof path, "/lib/modules/%s/extra/farmmark.ko", u.release);
	snprintf(params, sizeof params, "class=%s", cls);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, params, 0) != 0)
		dprintf(1, "FARMBOOT-INSMOD failed: %s (%s)\n", strerror(errno), path);
	else
		dprintf(1, "FARMBOOT-INSMOD ok\n");

	run_root_program();

	dprintf(1, "FARMBOOT-DONE\n");
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
