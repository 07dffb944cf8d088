/* nodereport: one line about this node: hostname, kernel, machine,
 * uptime, load averages, memory, and the number of CPUs online. */
#include <stdio.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/sysinfo.h>

int main(void)
{
    struct utsname u;
    struct sysinfo si;
    if (uname(&u) != 0 || sysinfo(&si) != 0) {
        perror("nodereport");
        return 1;
    }
    printf("host=%s kernel=%s machine=%s cpus=%ld uptime=%lds "
           "load=%.2f/%.2f/%.2f mem=%luM free=%luM procs=%u\n",
           u.nodename, u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN),
           (long)si.uptime,
           si.loads[0] / 65536.0, si.loads[1] / 65536.0, si.loads[2] / 65536.0,
           (unsigned long)(si.totalram / 1048576 * si.mem_unit),
           (unsigned long)(si.freeram / 1048576 * si.mem_unit),
           (unsigned)si.procs);
    return 0;
}
