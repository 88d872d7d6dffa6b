// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_info: open PCI functions through /dev/vfio/devices/vfioN + iommufd,
 * the way a VMM does, and print what the device fd reports: device info,
 * every region and every interrupt index.
 *
 * Usage: vfio_info BDF...
 */
#include <unistd.h>

#include "lib/vfio_test.h"

static const char * const region_names[VFIO_PCI_NUM_REGIONS] = {
	"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "CONFIG", "VGA",
};

static const char * const irq_names[VFIO_PCI_NUM_IRQS] = {
	"INTx", "MSI", "MSI-X", "ERR", "REQ",
};

static void print_region_flags(uint32_t flags)
{
	printf("%s%s%s%s", flags & VFIO_REGION_INFO_FLAG_READ ? " read" : "",
	       flags & VFIO_REGION_INFO_FLAG_WRITE ? " write" : "",
	       flags & VFIO_REGION_INFO_FLAG_MMAP ? " mmap" : "",
	       flags & VFIO_REGION_INFO_FLAG_CAPS ? " caps" : "");
}

static void print_irq_flags(uint32_t flags)
{
	printf("%s%s%s%s", flags & VFIO_IRQ_INFO_EVENTFD ? " eventfd" : "",
	       flags & VFIO_IRQ_INFO_MASKABLE ? " maskable" : "",
	       flags & VFIO_IRQ_INFO_AUTOMASKED ? " automasked" : "",
	       flags & VFIO_IRQ_INFO_NORESIZE ? " noresize" : "");
}

static int show(const char *bdf)
{
	struct vfio_device_info info;
	struct vt_device d;
	uint16_t ids[2] = {};
	char cdev[64] = "?";
	unsigned int i;

	vt_device_open(&d, bdf);
	__vt_cdev_path(bdf, cdev, sizeof(cdev));
	if (__vt_get_info(d.fd, &info))
		vt_die("VFIO_DEVICE_GET_INFO on %s", bdf);

	for (i = 0; i < info.num_regions && i < VFIO_PCI_NUM_REGIONS; i++) {
		struct vfio_region_info reg;

		/* The VGA index exists only on VGA devices. */
		if (__vt_region_info(d.fd, i, &reg))
			continue;
		if (i == VFIO_PCI_CONFIG_REGION_INDEX)
			__vt_region_read(d.fd, &reg, 0, ids, sizeof(ids));
	}

	printf("%s  %04x:%04x  %s  iommufd devid %u  IOAS %u\n", bdf, ids[0],
	       ids[1], cdev, d.devid, d.ioas_id);
	printf("  flags 0x%x%s%s, %u regions, %u irq indexes\n", info.flags,
	       info.flags & VFIO_DEVICE_FLAGS_PCI ? " pci" : "",
	       info.flags & VFIO_DEVICE_FLAGS_RESET ? " reset" : "",
	       info.num_regions, info.num_irqs);

	for (i = 0; i < info.num_regions && i < VFIO_PCI_NUM_REGIONS; i++) {
		struct vfio_region_info reg;

		if (__vt_region_info(d.fd, i, &reg) || !reg.size)
			continue;
		printf("  region %-6s size 0x%-9llx offset 0x%llx",
		       region_names[i], (unsigned long long)reg.size,
		       (unsigned long long)reg.offset);
		print_region_flags(reg.flags);
		printf("\n");
	}

	for (i = 0; i < info.num_irqs && i < VFIO_PCI_NUM_IRQS; i++) {
		struct vfio_irq_info irq;

		/* ERR exists only on PCIe devices. */
		if (__vt_irq_info(d.fd, i, &irq) || !irq.count)
			continue;
		printf("  irq    %-6s count %-4u", irq_names[i], irq.count);
		print_irq_flags(irq.flags);
		printf("\n");
	}

	vt_device_close(&d);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		show(argv[i]);
	return 0;
}
