// SPDX-License-Identifier: GPL-2.0
/*
 * farmmark: a minimal out-of-tree module for farmctl's example farm.
 *
 * On load it prints one marker line naming the node class it was given, so a
 * boot test can tell from the serial console that the class's own module,
 * built against the class's own kernel, was loaded:
 *
 *   insmod farmmark.ko class=PIII
 *   -> farmmark: FARMMARK-LOADED class=PIII release=6.1.192
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/utsname.h>

static char *farm_class = "unknown";
module_param_named(class, farm_class, charp, 0444);
MODULE_PARM_DESC(class, "node class name printed in the load marker");

static int __init farmmark_init(void)
{
	pr_notice("FARMMARK-LOADED class=%s release=%s\n",
		  farm_class, init_utsname()->release);
	return 0;
}

static void __exit farmmark_exit(void)
{
	pr_notice("FARMMARK-UNLOADED class=%s\n", farm_class);
}

module_init(farmmark_init);
module_exit(farmmark_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("farmctl example module: prints a marker with the node class on load");
MODULE_AUTHOR("farmctl");
