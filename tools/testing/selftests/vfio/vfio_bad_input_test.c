// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input on a bound and attached device fd, as one table: every row is a
 * description, an operation with its arguments, and the result the kernel's
 * own vfio-pci (Linux 7.3) gives, with the function that decides it.  Each
 * row is one TAP line.  The rows share one opened device per kind (edu, and
 * igb for PCIe-only rows), because under TCG a fork and a fresh open per row
 * would cost most of a second each; a row that leaves the device unusable
 * fails, and the device is then opened afresh for the rows after it.
 *
 * After every row the device must still work: GET_INFO succeeds, the config
 * vendor ID reads back right, and BAR0 can be described and read.  Rows that
 * write read-only config registers also check the register kept its value.
 *
 * Where our core answers differently today because the feature is not
 * there yet, the row carries that
 * answer as "alt" with a reason; it is accepted as a SKIP only while
 * VT_PENDING_FEATURES=1, and FAILs otherwise.  Against the kernel's
 * vfio-pci every row passes with the pending variable unset.
 *
 * Results are ssize_t: a negative errno, or a byte count / 0 for success.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kselftest.h"
#include "lib/vfio_test.h"

enum bad_dev { DEV_EDU, DEV_IGB };

enum bad_op {
	OP_GET_INFO_ARGSZ,	/* a0 = argsz */
	OP_REGION_INFO_ARGSZ,	/* a0 = argsz */
	OP_IRQ_INFO_ARGSZ,	/* a0 = argsz */
	OP_BIND2,		/* second cdev fd: a0 = argsz (see ARGSZ),
				 * a1 = tail fill byte past the struct,
				 * a2 = 1: iommufd -1, a3 = flags */
	OP_BIND_AGAIN,		/* BIND the fixture's already bound fd */
	OP_ATTACH,		/* a0 = argsz (see ARGSZ), a1 = flags,
				 * a2: 0 = our IOAS, 1 = unknown id, 2 = devid */
	OP_DETACH,		/* a0 = argsz (see ARGSZ), a1 = flags */
	OP_UNBOUND_GET_INFO,	/* on a second, never bound cdev fd */
	OP_UNBOUND_READ,
	OP_UNBOUND_MMAP,
	OP_REGION_INFO,		/* a0 = index */
	OP_IRQ_INFO,		/* a0 = index */
	OP_READ,		/* a0 = index, a1 = offset, a2 = len */
	OP_WRITE,		/* a0 = index, a1 = offset, a2 = len */
	OP_READ_ABS,		/* a0 = absolute file offset, a2 = len */
	OP_MMAP,		/* a0 = index, a1 = offset, a2 = len,
				 * a3 = MAP_SHARED / MAP_PRIVATE */
	OP_CFG_WRITE_RO,	/* a0 = cap id (0: header, bit 16: ext cap),
				 * a1 = offset (in the cap), a2 = width */
	OP_RESET,
	OP_IOCTL,		/* a0 = cmd, a1 = argsz, a2 = flags, a3 = index */
	OP_FEATURE,		/* a0 = flags, a1 = argsz */
	OP_SET_IRQS,		/* a0 = index, a1 = flags, a2 = start,
				 * a3 = count; see struct bad_case */
	OP_GROUP_HOT_RESET,	/* e1000e opened through its group:
				 * a0 = count, a1 = GFD_*, a2 = flags */
	OP_BIND_TOKEN,		/* bind a fresh e1000e cdev fd with
				 * BIND_FLAG_TOKEN; a0 = 1: NULL token ptr */
	OP_IOEVENTFD,		/* a0 = argsz (0: the struct's), a1 = flags,
				 * a2 = offset in the region (END allowed),
				 * a3 = IOEV(index, fd kind); a registration
				 * that succeeds is removed again */
	OP_LOW_POWER_WAKEUP,	/* a0 = feature flags, a1 = argsz, a2 = fd
				 * kind; low power is left again afterwards */
	OP_LOW_POWER_TWICE,	/* LOW_POWER_ENTRY twice; the second's answer */
};

/* What OP_GROUP_HOT_RESET puts in every slot of its fd array. */
enum { GFD_OWN_GROUP, GFD_MINUS_ONE, GFD_DEV_NULL, GFD_DEVICE };

/* What OP_IOEVENTFD and OP_LOW_POWER_WAKEUP pass as the eventfd. */
enum bad_fd { FD_EVENTFD, FD_MINUS_1, FD_MINUS_2, FD_CLOSED, FD_NOT_EVENTFD };
#define IOEV(index, fd)	((uint64_t)(index) | ((uint64_t)(fd) << 8))

/*
 * ARGSZ: for BIND2, ATTACH and DETACH an a0 of 0 means sizeof(the struct)
 * and 0xffffffff means an argsz of 0.  The *_ARGSZ ops take a0 as is.
 *
 * END(n) as an offset or length of OP_READ/OP_WRITE/OP_MMAP means the
 * region's size + n (n may be negative).  Plain values stay below 2^61.
 */
#define FROM_END	(1ULL << 62)
#define END(n)		(FROM_END + (n))
#define IS_END(v)	((v) >= (1ULL << 61))

struct bad_state {
	struct vt_device dev;
	struct vfio_region_info cfg;
	struct vfio_region_info bar0;
	long long vendor;
	bool open;
};

struct bad_case {
	const char *name;
	enum bad_dev dev;
	enum bad_op op;
	uint64_t a0, a1, a2, a3;
	long expect;		/* upstream's answer */
	const char *upstream;	/* where upstream decides it */
	long alt;		/* ours until the feature lands ... */
	const char *alt_reason;	/* ... if this is set */
	/*
	 * OP_SET_IRQS: the payload (up to 8 entries) is @irq_fd in each
	 * s32 for EVENTFD (IRQ_EFD: a fresh eventfd, IRQ_DEVFD: the device
	 * fd itself), 1 in each byte for BOOL.  @argsz 0: the header plus
	 * the payload; IRQ_ARGSZ_0: zero.  @pre: PRE_MSI runs the row with
	 * MSI enabled (and turns it off afterwards).
	 */
	int32_t irq_fd;
	uint32_t argsz;
	uint8_t pre;
};

#define IRQ_EFD		INT32_MIN
#define IRQ_DEVFD	(INT32_MIN + 1)
#define IRQ_ARGSZ_0	0xffffffffu
#define PRE_MSI		1

#define BAD(_name, ...)	{ .name = #_name, __VA_ARGS__ },

#define CFG	VFIO_PCI_CONFIG_REGION_INDEX
#define BAR0	VFIO_PCI_BAR0_REGION_INDEX
#define PENDING_CFG_WRITE	"config writes refused until config virtualization lands"
#define PENDING_CFG_BOUNDS	"config bounds follow upstream once config virtualization lands"
#define PENDING_NOT_YET		"ioctl not implemented in our core yet"
#define IOEV_ARGSZ	sizeof(struct vfio_device_ioeventfd)
#define FEAT_HDR	sizeof(struct vfio_device_feature)
#define LP_ENTRY	VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY
#define LP_WAKEUP	VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP
#define LP_EXIT		VFIO_DEVICE_FEATURE_LOW_POWER_EXIT
#define F_GET		VFIO_DEVICE_FEATURE_GET
#define F_SET		VFIO_DEVICE_FEATURE_SET
#define F_PROBE		VFIO_DEVICE_FEATURE_PROBE

/*
 * The table.  Upstream references are to Linux 7.3: vfio_main.c and
 * device_cdev.c in drivers/vfio/, vfio_pci_core.c, vfio_pci_rdwr.c and
 * vfio_pci_config.c in drivers/vfio/pci/, and the VFS (fs/read_write.c).
 */
static const struct bad_case cases[] = {

/* argsz below the mandatory fields: every info ioctl checks argsz first */
BAD(get_info_argsz_0, .op = OP_GET_INFO_ARGSZ, .a0 = 0, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_info: argsz < minsz")
BAD(get_info_argsz_short, .op = OP_GET_INFO_ARGSZ, .a0 = 15,
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_info: argsz < offsetofend(num_irqs)")
BAD(get_info_argsz_exact_min_ok, .op = OP_GET_INFO_ARGSZ, .a0 = 16,
    .expect = 0, .upstream = "vfio_pci_ioctl_get_info: minsz is enough")
BAD(region_info_argsz_0, .op = OP_REGION_INFO_ARGSZ, .a0 = 0,
    .expect = -EINVAL, .upstream = "vfio_get_region_info: argsz < minsz")
BAD(region_info_argsz_short, .op = OP_REGION_INFO_ARGSZ, .a0 = 23,
    .expect = -EINVAL,
    .upstream = "vfio_get_region_info: argsz < offsetofend(offset)")
BAD(irq_info_argsz_0, .op = OP_IRQ_INFO_ARGSZ, .a0 = 0, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_irq_info: argsz < minsz")
BAD(irq_info_argsz_short, .op = OP_IRQ_INFO_ARGSZ, .a0 = 15,
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_irq_info: argsz < offsetofend(count)")

/* BIND / ATTACH / DETACH */
BAD(bind_argsz_0, .op = OP_BIND2, .a0 = 0xffffffff, .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_bind_iommufd: argsz (0) < minsz")
BAD(bind_argsz_short, .op = OP_BIND2, .a0 = 15, .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_bind_iommufd: argsz < offsetofend(out_devid)")
BAD(bind_argsz_long_nonzero_tail, .op = OP_BIND2, .a0 = 32, .a1 = 0xff,
    .expect = -E2BIG,
    .upstream = "vfio_df_ioctl_bind_iommufd: copy_struct_from_user, non-zero bytes past the struct")
BAD(bind_negative_iommufd, .op = OP_BIND2, .a2 = 1, .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_bind_iommufd: iommufd < 0")
BAD(bind_unknown_flags, .op = OP_BIND2, .a3 = 0x80000000, .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_bind_iommufd: flags outside BIND_FLAG_TOKEN")
BAD(bind_second_fd_while_bound, .op = OP_BIND2, .expect = -EINVAL,
    .upstream = "vfio_df_open: open_count != 0 on the cdev path")
BAD(bind_twice_same_fd, .op = OP_BIND_AGAIN, .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_bind_iommufd: access_granted already set")
BAD(attach_argsz_0, .op = OP_ATTACH, .a0 = 0xffffffff, .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_attach_pt: argsz < minsz")
BAD(attach_argsz_short, .op = OP_ATTACH, .a0 = 11, .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_attach_pt: argsz < offsetofend(pt_id)")
BAD(attach_unknown_flags, .op = OP_ATTACH, .a1 = 0x80000000,
    .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_attach_pt: flags outside ATTACH_PASID")
BAD(attach_unknown_pt_id, .op = OP_ATTACH, .a2 = 1, .expect = -ENOENT,
    .upstream = "iommufd_device_change_pt: iommufd_get_object finds no such id")
BAD(attach_pt_id_is_a_device, .op = OP_ATTACH, .a2 = 2, .expect = -EINVAL,
    .upstream = "iommufd_device_change_pt: object is neither an IOAS nor a HWPT")
BAD(detach_argsz_0, .op = OP_DETACH, .a0 = 0xffffffff, .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_detach_pt: argsz < minsz")
BAD(detach_argsz_short, .op = OP_DETACH, .a0 = 7, .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_detach_pt: argsz < offsetofend(flags)")
BAD(detach_unknown_flags, .op = OP_DETACH, .a1 = 0x80000000,
    .expect = -EINVAL,
    .upstream = "vfio_df_ioctl_detach_pt: flags outside DETACH_PASID")

/* a cdev fd that was never bound has no access to anything */
BAD(unbound_fd_get_info, .op = OP_UNBOUND_GET_INFO, .expect = -EINVAL,
    .upstream = "vfio_device_fops_unl_ioctl: !access_granted")
BAD(unbound_fd_read, .op = OP_UNBOUND_READ, .expect = -EINVAL,
    .upstream = "vfio_device_fops_read: !access_granted")
BAD(unbound_fd_mmap, .op = OP_UNBOUND_MMAP, .expect = -EINVAL,
    .upstream = "vfio_device_fops_mmap: !access_granted")

/* region and irq indexes out of range */
BAD(region_info_index_9, .op = OP_REGION_INFO, .a0 = 9, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_region_info: index >= 9 + num_regions")
BAD(region_info_index_0x80000000, .op = OP_REGION_INFO, .a0 = 0x80000000,
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_region_info: index >= 9 + num_regions")
BAD(region_info_index_max, .op = OP_REGION_INFO, .a0 = 0xffffffff,
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_region_info: index >= 9 + num_regions")
BAD(region_info_vga_without_vga, .op = OP_REGION_INFO,
    .a0 = VFIO_PCI_VGA_REGION_INDEX, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_region_info: VGA index and !has_vga",
    .alt = 0, .alt_reason = "our core describes VGA as an empty region")
BAD(irq_info_index_5, .op = OP_IRQ_INFO, .a0 = 5, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_irq_info: index >= VFIO_PCI_NUM_IRQS")
BAD(irq_info_index_max, .op = OP_IRQ_INFO, .a0 = 0xffffffff,
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_irq_info: index >= VFIO_PCI_NUM_IRQS")

/* read/write offsets: past the end, across the end, between regions */
BAD(read_bar0_at_end, .op = OP_READ, .a0 = BAR0, .a1 = END(0), .a2 = 4,
    .expect = -EINVAL, .upstream = "vfio_pci_bar_rw: pos >= end")
BAD(read_bar0_across_end_partial, .op = OP_READ, .a0 = BAR0,
    .a1 = END(-2), .a2 = 4, .expect = 2,
    .upstream = "vfio_pci_bar_rw: count clamped to end - pos")
BAD(write_bar0_at_end, .op = OP_WRITE, .a0 = BAR0, .a1 = END(0), .a2 = 4,
    .expect = -EINVAL, .upstream = "vfio_pci_bar_rw: pos >= end")
BAD(write_bar0_across_end_partial, .op = OP_WRITE, .a0 = BAR0,
    .a1 = END(-2), .a2 = 4, .expect = 2,
    .upstream = "vfio_pci_bar_rw: count clamped to end - pos")
BAD(read_bar0_gap_before_bar1, .op = OP_READ, .a0 = BAR0, .a1 = 1ULL << 39,
    .a2 = 4, .expect = -EINVAL,
    .upstream = "vfio_pci_bar_rw: pos >= end (offset inside index 0's window)")
BAD(read_bar1_absent, .op = OP_READ, .a0 = VFIO_PCI_BAR1_REGION_INDEX,
    .a2 = 4, .expect = -EINVAL,
    .upstream = "vfio_pci_bar_rw: pci_resource_start == 0")
BAD(read_rom_absent, .op = OP_READ, .a0 = VFIO_PCI_ROM_REGION_INDEX,
    .a2 = 4, .expect = -EINVAL,
    .upstream = "vfio_pci_bar_rw: no ROM resource and no shadow ROM")
BAD(write_rom, .op = OP_WRITE, .a0 = VFIO_PCI_ROM_REGION_INDEX, .a2 = 4,
    .expect = -EINVAL, .upstream = "vfio_pci_rw: ROM is read-only")
BAD(read_vga_without_vga, .op = OP_READ, .a0 = VFIO_PCI_VGA_REGION_INDEX,
    .a1 = 0xa0000, .a2 = 4, .expect = -EINVAL,
    .upstream = "vfio_pci_vga_rw: !has_vga")
BAD(read_index_9, .op = OP_READ, .a0 = 9, .a2 = 4, .expect = -EINVAL,
    .upstream = "vfio_pci_rw: index >= 9 + num_regions")
BAD(read_index_0x7fffff, .op = OP_READ_ABS, .a0 = 0x7fffff0000000000ULL,
    .a2 = 4, .expect = -EINVAL,
    .upstream = "vfio_pci_rw: index >= 9 + num_regions")
BAD(read_offset_plus_count_overflows, .op = OP_READ_ABS,
    .a0 = 0x7ffffffffffffffcULL, .a2 = 8, .expect = -EINVAL,
    .upstream = "rw_verify_area: pos + count wraps past LLONG_MAX")
BAD(read_negative_offset, .op = OP_READ_ABS, .a0 = (uint64_t)-4, .a2 = 4,
    .expect = -EINVAL, .upstream = "rw_verify_area: pos < 0")
BAD(read_config_at_end, .op = OP_READ, .a0 = CFG, .a1 = END(0), .a2 = 4,
    .expect = -EFAULT,
    .upstream = "vfio_pci_config_rw_single: pos >= cfg_size",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_BOUNDS)
BAD(read_config_across_end, .op = OP_READ, .a0 = CFG, .a1 = END(-2),
    .a2 = 4, .expect = -EFAULT,
    .upstream = "vfio_pci_config_rw_single: pos + count > cfg_size (no clamping)",
    .alt = 2, .alt_reason = PENDING_CFG_BOUNDS)
BAD(read_config_gap_before_rom, .op = OP_READ, .a0 = CFG, .a1 = 1ULL << 39,
    .a2 = 4, .expect = -EFAULT,
    .upstream = "vfio_pci_config_rw_single: pos >= cfg_size",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_BOUNDS)
BAD(write_config_across_end, .op = OP_WRITE, .a0 = CFG, .a1 = END(-2),
    .a2 = 4, .expect = -EFAULT,
    .upstream = "vfio_pci_config_rw_single: pos + count > cfg_size",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)

/* unaligned and odd-sized accesses are split, never refused */
BAD(read_bar0_unaligned_dword, .op = OP_READ, .a0 = BAR0, .a1 = 1, .a2 = 4,
    .expect = 4, .upstream = "vfio_pci_core_do_io_rw: split into 1+2+1")
BAD(read_bar0_three_bytes, .op = OP_READ, .a0 = BAR0, .a1 = 0, .a2 = 3,
    .expect = 3, .upstream = "vfio_pci_core_do_io_rw: split into 2+1")
BAD(read_bar0_odd_size_odd_offset, .op = OP_READ, .a0 = BAR0, .a1 = 5,
    .a2 = 13, .expect = 13,
    .upstream = "vfio_pci_core_do_io_rw: split into aligned pieces")
BAD(read_config_three_bytes_odd, .op = OP_READ, .a0 = CFG, .a1 = 1, .a2 = 3,
    .expect = 3, .upstream = "vfio_pci_config_rw: split into 1+2")
BAD(read_config_zero_bytes, .op = OP_READ, .a0 = CFG, .a1 = 0, .a2 = 0,
    .expect = 0, .upstream = "vfio_pci_core_read: count 0 returns 0")

/* mmap: the vfio core answers -EINVAL while a driver has no mmap op */
BAD(mmap_bar0_beyond_size, .op = OP_MMAP, .a0 = BAR0, .a1 = 0,
    .a2 = END(4096), .a3 = MAP_SHARED, .expect = -EINVAL,
    .upstream = "vfio_pci_core_mmap: req_start + req_len > PAGE_ALIGN(len)")
BAD(mmap_bar0_offset_past_end, .op = OP_MMAP, .a0 = BAR0, .a1 = END(0),
    .a2 = 4096, .a3 = MAP_SHARED, .expect = -EINVAL,
    .upstream = "vfio_pci_core_mmap: req_start + req_len > PAGE_ALIGN(len)")
BAD(mmap_bar0_private, .op = OP_MMAP, .a0 = BAR0, .a2 = 4096,
    .a3 = MAP_PRIVATE, .expect = -EINVAL,
    .upstream = "vfio_pci_core_mmap: VM_SHARED required")
BAD(mmap_config, .op = OP_MMAP, .a0 = CFG, .a2 = 4096, .a3 = MAP_SHARED,
    .expect = -EINVAL, .upstream = "vfio_pci_core_mmap: index >= ROM index")
BAD(mmap_rom, .op = OP_MMAP, .a0 = VFIO_PCI_ROM_REGION_INDEX, .a2 = 4096,
    .a3 = MAP_SHARED, .expect = -EINVAL,
    .upstream = "vfio_pci_core_mmap: index >= ROM index")
BAD(mmap_bar1_absent, .op = OP_MMAP, .a0 = VFIO_PCI_BAR1_REGION_INDEX,
    .a2 = 4096, .a3 = MAP_SHARED, .expect = -EINVAL,
    .upstream = "vfio_pci_core_mmap: !bar_mmap_supported")
BAD(mmap_index_9, .op = OP_MMAP, .a0 = 9, .a2 = 4096, .a3 = MAP_SHARED,
    .expect = -EINVAL,
    .upstream = "vfio_pci_core_mmap: index >= 9 + num_regions")

/*
 * Read-only config registers: upstream drops the write (no write bits in
 * the permission table) and returns the count; the value never changes.
 * The test writes the complement of the current value.
 */
BAD(cfg_write_vendor_id, .op = OP_CFG_WRITE_RO, .a1 = 0x00, .a2 = 2,
    .expect = 2,
    .upstream = "vfio_default_config_write: VENDOR_ID virtual, no write bits",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(cfg_write_device_id, .op = OP_CFG_WRITE_RO, .a1 = 0x02, .a2 = 2,
    .expect = 2,
    .upstream = "vfio_default_config_write: DEVICE_ID virtual, no write bits",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(cfg_write_ids_dword, .op = OP_CFG_WRITE_RO, .a1 = 0x00, .a2 = 4,
    .expect = 4,
    .upstream = "vfio_default_config_write: both IDs read-only",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(cfg_write_revision_class, .op = OP_CFG_WRITE_RO, .a1 = 0x08, .a2 = 4,
    .expect = 4,
    .upstream = "init_pci_cap_basic_perm: REVISION and CLASS read-only",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(cfg_write_header_type, .op = OP_CFG_WRITE_RO, .a1 = 0x0e, .a2 = 1,
    .expect = 1,
    .upstream = "init_pci_cap_basic_perm: HEADER_TYPE read-only",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(cfg_write_subsystem_ids, .op = OP_CFG_WRITE_RO, .a1 = 0x2c, .a2 = 4,
    .expect = 4,
    .upstream = "init_pci_cap_basic_perm: SUBSYSTEM ids read-only",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(cfg_write_cap_pointer, .op = OP_CFG_WRITE_RO, .a1 = 0x34, .a2 = 1,
    .expect = 1,
    .upstream = "init_pci_cap_basic_perm: CAPABILITY_LIST virtual, read-only",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(cfg_write_interrupt_pin, .op = OP_CFG_WRITE_RO, .a1 = 0x3d, .a2 = 1,
    .expect = 1,
    .upstream = "init_pci_cap_basic_perm: INTERRUPT_PIN virtual, read-only",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(igb_cfg_write_pcie_devcap, .dev = DEV_IGB, .op = OP_CFG_WRITE_RO,
    .a0 = 0x10, .a1 = 0x04, .a2 = 4, .expect = 4,
    .upstream = "init_pci_cap_exp_perm: DEVCAP read-only",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(igb_cfg_write_pcie_lnkcap, .dev = DEV_IGB, .op = OP_CFG_WRITE_RO,
    .a0 = 0x10, .a1 = 0x0c, .a2 = 4, .expect = 4,
    .upstream = "init_pci_cap_exp_perm: LNKCAP read-only",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(igb_cfg_write_msix_control, .dev = DEV_IGB, .op = OP_CFG_WRITE_RO,
    .a0 = 0x11, .a1 = 0x02, .a2 = 2, .expect = 2,
    .upstream = "vfio_cap_init: MSI-X capability has no writefn, write dropped",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(igb_cfg_write_ext_cap_header, .dev = DEV_IGB, .op = OP_CFG_WRITE_RO,
    .a0 = 0x10000, .a1 = 0x100, .a2 = 4, .expect = 4,
    .upstream = "vfio_ecap_init: extended capability header virtual, read-only",
    .alt = -EINVAL, .alt_reason = PENDING_CFG_WRITE)
BAD(igb_read_config_across_end, .dev = DEV_IGB, .op = OP_READ, .a0 = CFG,
    .a1 = END(-1), .a2 = 2, .expect = -EFAULT,
    .upstream = "vfio_pci_config_rw_single: pos + count > cfg_size (4096)",
    .alt = 1, .alt_reason = PENDING_CFG_BOUNDS)
BAD(igb_read_bar0_across_end_partial, .dev = DEV_IGB, .op = OP_READ,
    .a0 = BAR0, .a1 = END(-4), .a2 = 8, .expect = 4,
    .upstream = "vfio_pci_bar_rw: count clamped to end - pos")

/* reset, unknown ioctls, other ioctls' argument checks */
BAD(reset_without_reset_flag, .op = OP_RESET, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_reset: !reset_works",
    .alt = -ENOTTY, .alt_reason = PENDING_NOT_YET)
BAD(ioctl_unknown_vfio_nr, .op = OP_IOCTL, .a0 = _IO(VFIO_TYPE, VFIO_BASE + 60),
    .expect = -ENOTTY, .upstream = "vfio_pci_core_ioctl: default")
BAD(ioctl_foreign_type, .op = OP_IOCTL, .a0 = _IO('x', 1), .expect = -ENOTTY,
    .upstream = "vfio_pci_core_ioctl: default")
BAD(ioctl_query_gfx_plane, .op = OP_IOCTL, .a0 = VFIO_DEVICE_QUERY_GFX_PLANE,
    .a1 = 64, .expect = -ENOTTY,
    .upstream = "vfio_pci_core_ioctl: no GFX plane support")
BAD(set_irqs_argsz_0, .op = OP_IOCTL, .a0 = VFIO_DEVICE_SET_IRQS, .a1 = 0,
    .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: argsz < minsz")
BAD(set_irqs_index_5, .op = OP_IOCTL, .a0 = VFIO_DEVICE_SET_IRQS, .a1 = 20,
    .a2 = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, .a3 = 5,
    .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: index >= VFIO_PCI_NUM_IRQS")
BAD(ioeventfd_no_size_flag, .op = OP_IOCTL, .a0 = VFIO_DEVICE_IOEVENTFD,
    .a1 = 32, .a2 = 0, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_ioeventfd: exactly one size flag")
BAD(feature_unknown_flag, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_GET | 0x80000000, .a1 = 8, .expect = -EINVAL,
    .upstream = "vfio_ioctl_device_feature: unknown flag bits")
BAD(feature_get_and_set, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET |
	  VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, .a1 = 8, .expect = -EINVAL,
    .upstream = "vfio_ioctl_device_feature: GET and SET without PROBE")
BAD(feature_argsz_short, .op = OP_FEATURE, .a0 = VFIO_DEVICE_FEATURE_GET,
    .a1 = 7, .expect = -EINVAL,
    .upstream = "vfio_ioctl_device_feature: argsz < offsetofend(flags)")
BAD(feature_unknown_id, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET | 0xfff0,
    .a1 = 8, .expect = -ENOTTY,
    .upstream = "vfio_pci_core_ioctl_feature: default")
BAD(feature_migration_not_migratable, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION, .a1 = 16,
    .expect = -ENOTTY,
    .upstream = "vfio_ioctl_device_feature_migration: no mig_ops")

/*
 * Hot reset, device sets, SR-IOV and the VF token.  The fixture's devices
 * are cdev-opened, so the group-fd form runs on e1000e opened through its
 * group (OP_GROUP_HOT_RESET); igb is an SR-IOV PF, edu is not.
 */
BAD(hot_reset_info_argsz_0, .op = OP_IOCTL,
    .a0 = VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, .a1 = 0, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_pci_hot_reset_info: argsz < minsz")
BAD(hot_reset_info_argsz_short, .op = OP_IOCTL,
    .a0 = VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, .a1 = 11, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_get_pci_hot_reset_info: argsz < offsetofend(count)")
BAD(hot_reset_info_no_room, .op = OP_IOCTL,
    .a0 = VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, .a1 = 12, .expect = -ENOSPC,
    .upstream = "vfio_pci_ioctl_get_pci_hot_reset_info: count > room in argsz")
BAD(hot_reset_argsz_0, .op = OP_IOCTL, .a0 = VFIO_DEVICE_PCI_HOT_RESET,
    .a1 = 0, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset: argsz < minsz")
BAD(hot_reset_argsz_short, .op = OP_IOCTL, .a0 = VFIO_DEVICE_PCI_HOT_RESET,
    .a1 = 11, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset: argsz < offsetofend(count)")
BAD(hot_reset_flags_1, .op = OP_IOCTL, .a0 = VFIO_DEVICE_PCI_HOT_RESET,
    .a1 = 12, .a2 = 1, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset: flags != 0")
BAD(hot_reset_flags_high, .op = OP_IOCTL, .a0 = VFIO_DEVICE_PCI_HOT_RESET,
    .a1 = 12, .a2 = 0x80000000, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset: flags != 0")
BAD(hot_reset_cdev_with_fds, .op = OP_IOCTL, .a0 = VFIO_DEVICE_PCI_HOT_RESET,
    .a1 = 16, .a3 = 1, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset: non-empty array on a cdev fd")
BAD(hot_reset_cdev_count_huge, .op = OP_IOCTL,
    .a0 = VFIO_DEVICE_PCI_HOT_RESET, .a1 = 16, .a3 = 0xffffffff,
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset: non-empty array on a cdev fd")
BAD(group_hot_reset_empty_array, .op = OP_GROUP_HOT_RESET, .a0 = 0,
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset: empty array on a group fd")
BAD(group_hot_reset_flags, .op = OP_GROUP_HOT_RESET, .a0 = 1, .a2 = 1,
    .expect = -EINVAL, .upstream = "vfio_pci_ioctl_pci_hot_reset: flags != 0")
BAD(group_hot_reset_count_too_large, .op = OP_GROUP_HOT_RESET, .a0 = 2,
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset_groups: count > affected devices")
BAD(group_hot_reset_count_huge, .op = OP_GROUP_HOT_RESET, .a0 = 0x7fffffff,
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset_groups: count > affected devices")
BAD(group_hot_reset_negative_fd, .op = OP_GROUP_HOT_RESET, .a0 = 1,
    .a1 = GFD_MINUS_ONE, .expect = -EBADF,
    .upstream = "vfio_pci_ioctl_pci_hot_reset_groups: fget fails")
BAD(group_hot_reset_not_vfio_fd, .op = OP_GROUP_HOT_RESET, .a0 = 1,
    .a1 = GFD_DEV_NULL, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset_groups: !vfio_file_is_group")
BAD(group_hot_reset_device_fd, .op = OP_GROUP_HOT_RESET, .a0 = 1,
    .a1 = GFD_DEVICE, .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_pci_hot_reset_groups: a device fd is not a group fd")
BAD(feature_vf_token_not_a_pf, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
	  VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, .a1 = 8, .expect = -ENOTTY,
    .upstream = "vfio_pci_core_feature_token: no vf_token (not an SR-IOV PF)")
BAD(feature_vf_token_set_not_a_pf, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN,
    .a1 = 24, .expect = -ENOTTY,
    .upstream = "vfio_pci_core_feature_token: no vf_token (not an SR-IOV PF)")
BAD(igb_vf_token_get, .dev = DEV_IGB, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN,
    .a1 = 24, .expect = -EINVAL,
    .upstream = "vfio_check_feature: GET not supported (SET only)")
BAD(igb_vf_token_probe_get, .dev = DEV_IGB, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
	  VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, .a1 = 8, .expect = -EINVAL,
    .upstream = "vfio_check_feature: PROBE of an unsupported GET")
BAD(igb_vf_token_probe_set, .dev = DEV_IGB, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
	  VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, .a1 = 8, .expect = 0,
    .upstream = "vfio_check_feature: PROBE of SET on a PF answers 0")
BAD(igb_vf_token_set_argsz_short, .dev = DEV_IGB, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN,
    .a1 = 23, .expect = -EINVAL,
    .upstream = "vfio_check_feature: argsz < header + sizeof(uuid)")
BAD(igb_vf_token_neither_get_nor_set, .dev = DEV_IGB, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, .a1 = 24, .expect = -EINVAL,
    .upstream = "vfio_check_feature: neither GET nor SET")
BAD(bind_token_not_pf_or_vf, .op = OP_BIND_TOKEN, .expect = -EINVAL,
    .upstream = "vfio_pci_core_match_token_uuid: token given, not a PF or VF")
BAD(bind_token_bad_pointer, .op = OP_BIND_TOKEN, .a0 = 1, .expect = -EFAULT,
    .upstream = "vfio_df_check_token: copy_from_user of token_uuid_ptr")

BAD(feature_low_power_no_get_set, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, .a1 = 8, .expect = -EINVAL,
    .upstream = "vfio_check_feature: neither GET nor SET without PROBE")

/*
 * VFIO_DEVICE_SET_IRQS (interrupts).  The common header checks are the vfio
 * core's vfio_set_irqs_validate_and_prepare (vfio_main.c); the rest is
 * vfio_pci_set_irqs_ioctl and its per-index handlers (vfio_pci_intrs.c).
 * edu: INTx 1, MSI 1, MSI-X 0 vectors; igb: MSI-X 10.
 */
#define IRQ_T(f)	(VFIO_IRQ_SET_ACTION_TRIGGER | VFIO_IRQ_SET_DATA_##f)
#define INTX	VFIO_PCI_INTX_IRQ_INDEX
#define MSI	VFIO_PCI_MSI_IRQ_INDEX
#define MSIX	VFIO_PCI_MSIX_IRQ_INDEX
#define ERR	VFIO_PCI_ERR_IRQ_INDEX
#define REQ	VFIO_PCI_REQ_IRQ_INDEX
BAD(set_irqs_argsz_short, .op = OP_SET_IRQS, .a0 = ERR, .a1 = IRQ_T(NONE),
    .a3 = 1, .argsz = 19, .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: argsz < minsz")
BAD(set_irqs_index_huge, .op = OP_SET_IRQS, .a0 = 0x80000000, .a1 = IRQ_T(NONE),
    .a3 = 1, .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: index >= max_irq_type")
BAD(set_irqs_unknown_flag, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = IRQ_T(NONE) | (1u << 6), .a3 = 1, .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: unknown flag bits")
BAD(set_irqs_two_data_types, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = IRQ_T(NONE) | VFIO_IRQ_SET_DATA_BOOL, .a3 = 1, .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: not exactly one data type")
BAD(set_irqs_no_data_type, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = VFIO_IRQ_SET_ACTION_TRIGGER, .a3 = 1, .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: not exactly one data type")
BAD(set_irqs_no_action, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = VFIO_IRQ_SET_DATA_NONE, .a3 = 1, .expect = -ENOTTY,
    .upstream = "vfio_pci_set_irqs_ioctl: no handler without an action")
BAD(set_irqs_two_actions, .op = OP_SET_IRQS, .a0 = INTX,
    .a1 = IRQ_T(NONE) | VFIO_IRQ_SET_ACTION_MASK, .a3 = 1, .expect = -ENOTTY,
    .upstream = "vfio_pci_set_irqs_ioctl: no handler for two actions")
BAD(set_irqs_start_count_overflow, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = IRQ_T(NONE), .a2 = 1, .a3 = 0xffffffff, .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: count >= U32_MAX - start")
BAD(set_irqs_count_over_num_irqs, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = IRQ_T(NONE), .a3 = 2, .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: start + count > num_irqs")
BAD(set_irqs_start_at_num_irqs, .op = OP_SET_IRQS, .a0 = INTX,
    .a1 = IRQ_T(NONE), .a2 = 1, .a3 = 0, .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: start >= num_irqs")
BAD(set_irqs_msix_on_edu, .op = OP_SET_IRQS, .a0 = MSIX,
    .a1 = IRQ_T(EVENTFD), .a3 = 1, .irq_fd = IRQ_EFD, .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: MSI-X has 0 vectors on edu")
BAD(igb_set_irqs_msix_count_11, .dev = DEV_IGB, .op = OP_SET_IRQS, .a0 = MSIX,
    .a1 = IRQ_T(EVENTFD), .a3 = 11, .irq_fd = -1, .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: 11 > 10 MSI-X vectors")
BAD(set_irqs_payload_short, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = IRQ_T(EVENTFD), .a3 = 1, .argsz = 23, .irq_fd = IRQ_EFD,
    .expect = -EINVAL,
    .upstream = "vfio_set_irqs_validate_and_prepare: argsz - minsz < count * 4")
BAD(set_irqs_msi_mask, .op = OP_SET_IRQS, .a0 = MSI,
    .a1 = VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_DATA_NONE, .a3 = 1,
    .expect = -ENOTTY, .upstream = "vfio_pci_set_irqs_ioctl: no MSI masking")
BAD(set_irqs_msi_unmask_active, .op = OP_SET_IRQS, .a0 = MSI,
    .a1 = VFIO_IRQ_SET_ACTION_UNMASK | VFIO_IRQ_SET_DATA_BOOL, .a3 = 1,
    .pre = PRE_MSI, .expect = -ENOTTY,
    .upstream = "vfio_pci_set_irqs_ioctl: no MSI unmasking")
BAD(set_irqs_err_unmask, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = VFIO_IRQ_SET_ACTION_UNMASK | VFIO_IRQ_SET_DATA_NONE, .a3 = 1,
    .expect = -ENOTTY, .upstream = "vfio_pci_set_irqs_ioctl: ERR only triggers")
BAD(set_irqs_req_mask, .op = OP_SET_IRQS, .a0 = REQ,
    .a1 = VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_DATA_NONE, .a3 = 1,
    .expect = -ENOTTY, .upstream = "vfio_pci_set_irqs_ioctl: REQ only triggers")
BAD(set_irqs_err_eventfd_count_0, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = IRQ_T(EVENTFD), .a3 = 0, .expect = -EINVAL,
    .upstream = "vfio_pci_set_ctx_trigger_single: eventfd with count 0")
BAD(set_irqs_err_bool_count_0, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = IRQ_T(BOOL), .a3 = 0, .expect = -EINVAL,
    .upstream = "vfio_pci_set_ctx_trigger_single: bool with count 0")
BAD(set_irqs_err_fd_minus_2, .op = OP_SET_IRQS, .a0 = ERR,
    .a1 = IRQ_T(EVENTFD), .a3 = 1, .irq_fd = -2, .expect = -EINVAL,
    .upstream = "vfio_pci_set_ctx_trigger_single: fd < -1")
BAD(set_irqs_req_fd_not_open, .op = OP_SET_IRQS, .a0 = REQ,
    .a1 = IRQ_T(EVENTFD), .a3 = 1, .irq_fd = 1000, .expect = -EBADF,
    .upstream = "eventfd_ctx_fdget: no such fd")
BAD(set_irqs_req_fd_not_eventfd, .op = OP_SET_IRQS, .a0 = REQ,
    .a1 = IRQ_T(EVENTFD), .a3 = 1, .irq_fd = IRQ_DEVFD, .expect = -EINVAL,
    .upstream = "eventfd_ctx_fileget: not an eventfd")
BAD(set_irqs_req_signal_unset, .op = OP_SET_IRQS, .a0 = REQ,
    .a1 = IRQ_T(NONE), .a3 = 1, .expect = -EINVAL,
    .upstream = "vfio_pci_set_ctx_trigger_single: no eventfd to signal")
BAD(set_irqs_intx_fd_not_eventfd, .op = OP_SET_IRQS, .a0 = INTX,
    .a1 = IRQ_T(EVENTFD), .a3 = 1, .irq_fd = IRQ_DEVFD, .expect = -EINVAL,
    .upstream = "vfio_pci_set_intx_trigger: eventfd_ctx_fdget")
BAD(set_irqs_intx_while_msi, .op = OP_SET_IRQS, .a0 = INTX,
    .a1 = IRQ_T(EVENTFD), .a3 = 1, .irq_fd = IRQ_EFD, .pre = PRE_MSI,
    .expect = -EINVAL,
    .upstream = "vfio_pci_set_intx_trigger: MSI active")
BAD(set_irqs_intx_unmask_inactive, .op = OP_SET_IRQS, .a0 = INTX,
    .a1 = VFIO_IRQ_SET_ACTION_UNMASK | VFIO_IRQ_SET_DATA_NONE, .a3 = 1,
    .expect = -EINVAL,
    .upstream = "vfio_pci_set_intx_unmask: INTx not active")
BAD(set_irqs_intx_mask_eventfd_inactive, .op = OP_SET_IRQS, .a0 = INTX,
    .a1 = VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_DATA_EVENTFD, .a3 = 1,
    .irq_fd = IRQ_EFD, .expect = -EINVAL,
    .upstream = "vfio_pci_set_intx_mask: INTx not active")
BAD(set_irqs_intx_loopback_inactive, .op = OP_SET_IRQS, .a0 = INTX,
    .a1 = IRQ_T(NONE), .a3 = 1, .expect = -EINVAL,
    .upstream = "vfio_pci_set_intx_trigger: loopback without INTx")
BAD(set_irqs_intx_count_0_inactive, .op = OP_SET_IRQS, .a0 = INTX,
    .a1 = IRQ_T(NONE), .a3 = 0, .expect = -EINVAL,
    .upstream = "vfio_pci_set_intx_trigger: count != 1")
BAD(set_irqs_msi_loopback_inactive, .op = OP_SET_IRQS, .a0 = MSI,
    .a1 = IRQ_T(NONE), .a3 = 1, .expect = -EINVAL,
    .upstream = "vfio_pci_set_msi_trigger: loopback without MSI")
BAD(set_irqs_msi_fd_not_eventfd, .op = OP_SET_IRQS, .a0 = MSI,
    .a1 = IRQ_T(EVENTFD), .a3 = 1, .irq_fd = IRQ_DEVFD, .expect = -EINVAL,
    .upstream = "vfio_msi_set_vector_signal: eventfd_ctx_fdget, rolled back")
BAD(igb_set_irqs_msix_loopback_inactive, .dev = DEV_IGB,
    .op = OP_SET_IRQS, .a0 = MSIX, .a1 = IRQ_T(BOOL), .a3 = 2,
    .expect = -EINVAL,
    .upstream = "vfio_pci_set_msi_trigger: loopback without MSI-X")
#undef IRQ_T
#undef INTX
#undef MSI
#undef MSIX
#undef ERR
#undef REQ

/*
 * IOEVENTFD and the low-power features (power area).  An ioeventfd row
 * that succeeds is removed again; a low-power row that engages is left
 * again, so every row starts from a device in D0 with nothing registered.
 */
BAD(ioeventfd_argsz_0, .op = OP_IOEVENTFD, .a0 = 0xffffffff,
    .a1 = VFIO_DEVICE_IOEVENTFD_32, .a3 = IOEV(BAR0, FD_EVENTFD),
    .expect = -EINVAL, .upstream = "vfio_pci_ioctl_ioeventfd: argsz < minsz")
BAD(ioeventfd_argsz_short, .op = OP_IOEVENTFD, .a0 = 27,
    .a1 = VFIO_DEVICE_IOEVENTFD_32, .a3 = IOEV(BAR0, FD_EVENTFD),
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_ioeventfd: argsz < offsetofend(fd)")
BAD(ioeventfd_argsz_minsz_ok, .op = OP_IOEVENTFD, .a0 = 28,
    .a1 = VFIO_DEVICE_IOEVENTFD_32, .a2 = 4, .a3 = IOEV(BAR0, FD_EVENTFD),
    .expect = 0, .upstream = "vfio_pci_ioctl_ioeventfd: minsz is enough")
BAD(ioeventfd_flags_0, .op = OP_IOEVENTFD, .a1 = 0,
    .a3 = IOEV(BAR0, FD_EVENTFD), .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_ioeventfd: hweight8(size flags) != 1")
BAD(ioeventfd_two_sizes, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_16 | VFIO_DEVICE_IOEVENTFD_32,
    .a3 = IOEV(BAR0, FD_EVENTFD), .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_ioeventfd: hweight8(size flags) != 1")
BAD(ioeventfd_unknown_flag, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_32 | 0x10, .a3 = IOEV(BAR0, FD_EVENTFD),
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_ioeventfd: flags outside SIZE_MASK")
BAD(ioeventfd_fd_minus_2, .op = OP_IOEVENTFD, .a1 = VFIO_DEVICE_IOEVENTFD_32,
    .a3 = IOEV(BAR0, FD_MINUS_2), .expect = -EINVAL,
    .upstream = "vfio_pci_ioctl_ioeventfd: fd < -1")
BAD(ioeventfd_closed_fd, .op = OP_IOEVENTFD, .a1 = VFIO_DEVICE_IOEVENTFD_32,
    .a3 = IOEV(BAR0, FD_CLOSED), .expect = -EBADF,
    .upstream = "vfio_virqfd_enable: no such file")
BAD(ioeventfd_not_an_eventfd, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_32, .a3 = IOEV(BAR0, FD_NOT_EVENTFD),
    .expect = -EINVAL,
    .upstream = "vfio_virqfd_enable: eventfd_ctx_fileget on /dev/null")
BAD(ioeventfd_config_region, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_32, .a3 = IOEV(CFG, FD_EVENTFD),
    .expect = -EINVAL, .upstream = "vfio_pci_ioeventfd: bar > BAR5")
BAD(ioeventfd_rom_region, .op = OP_IOEVENTFD, .a1 = VFIO_DEVICE_IOEVENTFD_32,
    .a3 = IOEV(VFIO_PCI_ROM_REGION_INDEX, FD_EVENTFD), .expect = -EINVAL,
    .upstream = "vfio_pci_ioeventfd: bar > BAR5")
BAD(ioeventfd_index_9, .op = OP_IOEVENTFD, .a1 = VFIO_DEVICE_IOEVENTFD_32,
    .a3 = IOEV(9, FD_EVENTFD), .expect = -EINVAL,
    .upstream = "vfio_pci_ioeventfd: bar > BAR5")
BAD(ioeventfd_absent_bar1, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_32,
    .a3 = IOEV(VFIO_PCI_BAR1_REGION_INDEX, FD_EVENTFD), .expect = -EINVAL,
    .upstream = "vfio_pci_ioeventfd: pos + count > bar length (0)")
BAD(ioeventfd_at_bar_end, .op = OP_IOEVENTFD, .a1 = VFIO_DEVICE_IOEVENTFD_32,
    .a2 = END(0), .a3 = IOEV(BAR0, FD_EVENTFD), .expect = -EINVAL,
    .upstream = "vfio_pci_ioeventfd: pos + count > bar length")
BAD(ioeventfd_across_bar_end, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_32, .a2 = END(-2),
    .a3 = IOEV(BAR0, FD_EVENTFD), .expect = -EINVAL,
    .upstream = "vfio_pci_ioeventfd: pos + count > bar length")
BAD(ioeventfd_8_across_bar_end, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_64, .a2 = END(-4),
    .a3 = IOEV(BAR0, FD_EVENTFD), .expect = -EINVAL,
    .upstream = "vfio_pci_ioeventfd: pos + count > bar length")
BAD(ioeventfd_last_qword_ok, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_64, .a2 = END(-8),
    .a3 = IOEV(BAR0, FD_EVENTFD), .expect = 0,
    .upstream = "vfio_pci_ioeventfd: pos + count == bar length is inside")
BAD(ioeventfd_remove_nonexistent, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_32, .a2 = 4, .a3 = IOEV(BAR0, FD_MINUS_1),
    .expect = -ENODEV, .upstream = "vfio_pci_ioeventfd: fd -1 and no match")
BAD(ioeventfd_remove_outside_bar, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_32, .a2 = END(0), .a3 = IOEV(BAR0, FD_MINUS_1),
    .expect = -EINVAL,
    .upstream = "vfio_pci_ioeventfd: bounds are checked before the lookup")
BAD(igb_ioeventfd_8_on_io_bar, .dev = DEV_IGB, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_64,
    .a3 = IOEV(VFIO_PCI_BAR2_REGION_INDEX, FD_EVENTFD), .expect = 0,
    .upstream = "vfio_pci_ioeventfd: I/O BARs take 8 bytes as two dwords")
BAD(igb_ioeventfd_msix_table, .dev = DEV_IGB, .op = OP_IOEVENTFD,
    .a1 = VFIO_DEVICE_IOEVENTFD_32,
    .a3 = IOEV(VFIO_PCI_BAR3_REGION_INDEX, FD_EVENTFD), .expect = -EINVAL,
    .upstream = "vfio_pci_ioeventfd: overlaps the MSI-X table")

BAD(feature_unknown_id_set, .op = OP_FEATURE, .a0 = F_SET | 0x7ff0,
    .a1 = FEAT_HDR, .expect = -ENOTTY,
    .upstream = "vfio_pci_core_ioctl_feature: default")
BAD(feature_unknown_id_probe_set, .op = OP_FEATURE,
    .a0 = F_PROBE | F_SET | 0x7ff0, .a1 = FEAT_HDR, .expect = -ENOTTY,
    .upstream = "vfio_pci_core_ioctl_feature: default, even for PROBE")
BAD(feature_low_power_get, .op = OP_FEATURE, .a0 = F_GET | LP_ENTRY,
    .a1 = FEAT_HDR, .expect = -EINVAL,
    .upstream = "vfio_check_feature: GET not supported")
BAD(feature_low_power_get_set, .op = OP_FEATURE,
    .a0 = F_GET | F_SET | LP_ENTRY, .a1 = FEAT_HDR, .expect = -EINVAL,
    .upstream = "vfio_ioctl_device_feature: GET and SET without PROBE")
BAD(feature_low_power_probe_get, .op = OP_FEATURE,
    .a0 = F_PROBE | F_GET | LP_ENTRY, .a1 = FEAT_HDR, .expect = -EINVAL,
    .upstream = "vfio_check_feature: GET not supported, also for PROBE")
BAD(feature_low_power_probe_set_ok, .op = OP_FEATURE,
    .a0 = F_PROBE | F_SET | LP_ENTRY, .a1 = FEAT_HDR, .expect = 0,
    .upstream = "vfio_check_feature: PROBE of SET answers 0, engages nothing")
BAD(feature_low_power_exit_get, .op = OP_FEATURE, .a0 = F_GET | LP_EXIT,
    .a1 = FEAT_HDR, .expect = -EINVAL,
    .upstream = "vfio_check_feature: GET not supported")
BAD(feature_low_power_exit_not_engaged, .op = OP_FEATURE,
    .a0 = F_SET | LP_EXIT, .a1 = FEAT_HDR, .expect = 0,
    .upstream = "vfio_pci_core_pm_exit: idempotent")
BAD(feature_low_power_wakeup_get, .op = OP_LOW_POWER_WAKEUP,
    .a0 = F_GET | LP_WAKEUP, .a1 = FEAT_HDR + 8, .expect = -EINVAL,
    .upstream = "vfio_check_feature: GET not supported")
BAD(feature_low_power_wakeup_argsz_short, .op = OP_LOW_POWER_WAKEUP,
    .a0 = F_SET | LP_WAKEUP, .a1 = FEAT_HDR + 7, .expect = -EINVAL,
    .upstream = "vfio_check_feature: argsz < sizeof(entry)")
BAD(feature_low_power_wakeup_fd_minus_1, .op = OP_LOW_POWER_WAKEUP,
    .a0 = F_SET | LP_WAKEUP, .a1 = FEAT_HDR + 8, .a2 = FD_MINUS_1,
    .expect = -EINVAL,
    .upstream = "vfio_pci_core_pm_entry_with_wakeup: wakeup_eventfd < 0")
BAD(feature_low_power_wakeup_closed_fd, .op = OP_LOW_POWER_WAKEUP,
    .a0 = F_SET | LP_WAKEUP, .a1 = FEAT_HDR + 8, .a2 = FD_CLOSED,
    .expect = -EBADF,
    .upstream = "vfio_pci_core_pm_entry_with_wakeup: eventfd_ctx_fdget")
BAD(feature_low_power_wakeup_not_eventfd, .op = OP_LOW_POWER_WAKEUP,
    .a0 = F_SET | LP_WAKEUP, .a1 = FEAT_HDR + 8, .a2 = FD_NOT_EVENTFD,
    .expect = -EINVAL,
    .upstream = "vfio_pci_core_pm_entry_with_wakeup: eventfd_ctx_fdget")
BAD(feature_low_power_wakeup_ok, .op = OP_LOW_POWER_WAKEUP,
    .a0 = F_SET | LP_WAKEUP, .a1 = FEAT_HDR + 8, .expect = 0,
    .upstream = "vfio_pci_core_pm_entry_with_wakeup: engaged")
BAD(feature_low_power_entry_twice, .op = OP_LOW_POWER_TWICE,
    .expect = -EINVAL,
    .upstream = "vfio_pci_runtime_pm_entry: already engaged")

/*
 * Migration and dirty tracking (area: migration).  vfio-pci itself offers
 * neither; a migratable variant's bad input is in vfio_edu_migration_test.
 */
BAD(feature_mig_state_not_migratable, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
    .a1 = 16, .expect = -ENOTTY,
    .upstream = "vfio_ioctl_device_feature_mig_device_state: no mig_ops")
BAD(feature_mig_data_size_not_migratable, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIG_DATA_SIZE,
    .a1 = 16, .expect = -ENOTTY,
    .upstream = "vfio_ioctl_device_feature_migration_data_size: no mig_ops")
BAD(feature_precopy_v2_no_pre_copy, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2,
    .a1 = 8, .expect = -EINVAL,
    .upstream = "vfio_ioctl_device_feature_migration_precopy_info_v2: no PRE_COPY")
BAD(feature_dma_logging_start_no_tracker, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
    .a1 = 32, .expect = -ENOTTY,
    .upstream = "vfio_ioctl_device_feature_logging_start: no log_ops")
BAD(feature_dma_logging_stop_no_tracker, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP,
    .a1 = 8, .expect = -ENOTTY,
    .upstream = "vfio_ioctl_device_feature_logging_stop: no log_ops")
BAD(feature_dma_logging_report_no_tracker, .op = OP_FEATURE,
    .a0 = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
    .a1 = 40, .expect = -ENOTTY,
    .upstream = "vfio_ioctl_device_feature_logging_report: no log_ops")
};

static bool pending(void)
{
	const char *v = getenv("VT_PENDING_FEATURES");

	return v && !strcmp(v, "1");
}

/*
 * PRECOPY_INFOv2 is decided by the vfio core, which kernels before 7 do not
 * have: there the core itself answers -ENOTTY, whatever the driver.
 */
static bool core_lacks_feature(const struct bad_case *c, long ret)
{
	struct utsname u;

	return c->op == OP_FEATURE && ret == -ENOTTY &&
	       (c->a0 & VFIO_DEVICE_FEATURE_MASK) ==
	       VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 &&
	       !uname(&u) && atoi(u.release) < 7;
}

/* Open (or reopen) the device a row needs; false if there is none. */
static bool state_open(struct bad_state *st, enum bad_dev dev)
{
	const char *bdf;

	if (st->open)
		return true;
	if (dev == DEV_IGB)
		bdf = vt_find_one(0x8086, 0x10c9);
	else
		bdf = vt_find_one(0x1234, 0x11e8);
	if (!bdf)
		return false;
	vt_device_open(&st->dev, bdf);
	st->vendor = vt_sysfs_num(bdf, "vendor");
	if (__vt_region_info(st->dev.fd, CFG, &st->cfg) ||
	    __vt_region_info(st->dev.fd, BAR0, &st->bar0))
		vt_die("%s: region info of a freshly opened device fails", bdf);
	st->open = true;
	return true;
}

static void state_close(struct bad_state *st)
{
	if (st->open)
		vt_device_close(&st->dev);
	st->open = false;
}

static long sys_ret(long ret)
{
	return ret < 0 ? -errno : ret;
}

/* An ioctl on a zeroed 256-byte argument whose first u32 is argsz. */
static long raw_ioctl(int fd, unsigned long cmd, uint32_t argsz,
		      uint32_t flags, uint32_t index)
{
	uint32_t buf[64] = {};

	buf[0] = argsz;
	buf[1] = flags;
	buf[2] = index;
	return sys_ret(ioctl(fd, cmd, buf));
}

static uint64_t region_offset(struct bad_state *self, uint32_t index,
			      uint64_t off)
{
	struct vfio_region_info info;
	uint64_t size = 0;

	if (IS_END(off)) {
		if (!__vt_region_info(self->dev.fd, index, &info))
			size = info.size;
		off = size + (int64_t)(off - FROM_END);
	}
	return ((uint64_t)index << 40) + off;
}

static long do_bind2(struct bad_state *self,
		     const struct bad_case *v)
{
	uint8_t buf[64];
	struct vfio_device_bind_iommufd *bind = (void *)buf;
	int fd, iommufd;
	long ret;

	fd = __vt_cdev_open(self->dev.bdf);
	if (fd < 0)
		return fd;
	iommufd = vt_iommufd_open();
	memset(buf, v->a1, sizeof(buf));
	memset(bind, 0, sizeof(*bind));
	bind->argsz = v->a0 ? (uint32_t)v->a0 : sizeof(*bind);
	if (v->a0 == 0xffffffff)
		bind->argsz = 0;
	bind->iommufd = v->a2 ? -1 : iommufd;
	bind->flags = v->a3;
	ret = sys_ret(ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, bind));
	close(fd);
	close(iommufd);
	return ret;
}

static long do_unbound(struct bad_state *self, enum bad_op op)
{
	struct vfio_device_info info;
	long ret;
	void *p;
	int fd;
	char c;

	fd = __vt_cdev_open(self->dev.bdf);
	if (fd < 0)
		return fd;
	switch (op) {
	case OP_UNBOUND_GET_INFO:
		ret = __vt_get_info(fd, &info);
		break;
	case OP_UNBOUND_READ:
		ret = sys_ret(pread(fd, &c, 1, (uint64_t)CFG << 40));
		break;
	default:
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		ret = p == MAP_FAILED ? -errno : 0;
		if (p != MAP_FAILED)
			munmap(p, 4096);
		break;
	}
	close(fd);
	return ret;
}

/* Find capability @id (bit 16: extended) in the config region; 0 if none. */
static uint32_t find_cap(struct bad_state *self, uint32_t id)
{
	uint64_t base = (uint64_t)CFG << 40;
	uint32_t pos, hdr;
	uint8_t b[2];
	int hops;

	if (id & 0x10000) {
		for (pos = 0x100, hops = 0; pos >= 0x100 && hops < 1024; hops++) {
			if (pread(self->dev.fd, &hdr, 4, base + pos) != 4 || !hdr)
				return 0;
			if ((id & 0xffff) == 0 || (hdr & 0xffff) == (id & 0xffff))
				return pos;
			pos = (hdr >> 20) & ~3u;
		}
		return 0;
	}
	if (pread(self->dev.fd, b, 1, base + 0x34) != 1)
		return 0;
	for (pos = b[0] & ~3u, hops = 0; pos >= 0x40 && hops < 48; hops++) {
		if (pread(self->dev.fd, b, 2, base + pos) != 2)
			return 0;
		if (b[0] == id)
			return pos;
		pos = b[1] & ~3u;
	}
	return 0;
}

static long do_cfg_write_ro(char *why, size_t whylen, struct bad_state *self,
			    const struct bad_case *v)
{
	uint64_t base = (uint64_t)CFG << 40;
	uint32_t before = 0, after = 0, val, off = v->a1;
	size_t w = v->a2;
	long ret;

	if (v->a0 & 0x10000) {
		/* a1 is the absolute offset of the first extended cap */
		if (!find_cap(self, 0x10000))
			return -ENODEV;
	} else if (v->a0) {
		uint32_t cap = find_cap(self, v->a0);

		if (!cap)
			return -ENODEV;
		off += cap;
	}
	if (pread(self->dev.fd, &before, w, base + off) != (ssize_t)w)
		return -EIO;
	val = ~before;
	ret = sys_ret(pwrite(self->dev.fd, &val, w, base + off));
	if (pread(self->dev.fd, &after, w, base + off) != (ssize_t)w)
		snprintf(why, whylen, "config 0x%x unreadable after the write",
			 off);
	else if (before != after)
		snprintf(why, whylen,
			 "read-only config 0x%x (%zu bytes) changed from 0x%x to 0x%x",
			 off, w, before, after);
	return ret;
}

static long do_mmap(struct bad_state *self, const struct bad_case *v)
{
	uint64_t len = v->a2, off = region_offset(self, v->a0, v->a1);
	struct vfio_region_info info;
	void *p;

	if (IS_END(len)) {
		len -= FROM_END;
		if (!__vt_region_info(self->dev.fd, v->a0, &info))
			len += info.size;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, v->a3, self->dev.fd, off);
	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

/* SET_IRQS with MSI on the edu vector, for PRE_MSI rows; 0 or -errno. */
static long msi_switch(int fd, int efd, bool on)
{
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} arg = {
		.set = {
			.argsz = sizeof(arg),
			.flags = VFIO_IRQ_SET_ACTION_TRIGGER |
				 (on ? VFIO_IRQ_SET_DATA_EVENTFD :
				       VFIO_IRQ_SET_DATA_NONE),
			.index = VFIO_PCI_MSI_IRQ_INDEX,
			.count = on ? 1 : 0,
		},
		.fd = efd,
	};

	return sys_ret(ioctl(fd, VFIO_DEVICE_SET_IRQS, &arg));
}

static long do_set_irqs(struct bad_state *self, const struct bad_case *v)
{
	struct {
		struct vfio_irq_set set;
		int32_t data[8];
	} arg = {};
	uint32_t n = v->a3 < 8 ? v->a3 : 8, i;
	int efd, fd = self->dev.fd;
	size_t elem = 0;
	long ret;

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return -errno;
	if (v->a1 & VFIO_IRQ_SET_DATA_EVENTFD) {
		elem = 4;
		for (i = 0; i < 8; i++)
			arg.data[i] = v->irq_fd == IRQ_EFD ? efd :
				      v->irq_fd == IRQ_DEVFD ? fd : v->irq_fd;
	} else if (v->a1 & VFIO_IRQ_SET_DATA_BOOL) {
		elem = 1;
		memset(arg.data, 1, sizeof(arg.data));
	}
	arg.set.argsz = v->argsz == IRQ_ARGSZ_0 ? 0 :
			v->argsz ? v->argsz : sizeof(arg.set) + n * elem;
	arg.set.flags = v->a1;
	arg.set.index = v->a0;
	arg.set.start = v->a2;
	arg.set.count = v->a3;

	if (v->pre == PRE_MSI) {
		ret = msi_switch(fd, efd, true);
		if (ret) {
			close(efd);
			return ret;
		}
	}
	ret = sys_ret(ioctl(fd, VFIO_DEVICE_SET_IRQS, &arg));
	if (v->pre == PRE_MSI)
		msi_switch(fd, efd, false);
	close(efd);
	return ret;
}

/* e1000e through its group, with an iommufd as the container. */
static long do_group_hot_reset(const struct bad_case *v)
{
	struct {
		struct vfio_pci_hot_reset hdr;
		int32_t fds[2];
	} r = {};
	const char *bdf = vt_find_one(0x8086, 0x10d3);
	int group = -1, container = -1, dev, null = -1, i;
	long ret;

	if (!bdf)
		return -ENODEV;
	/* Through iommufd's compat container, or the legacy one without it. */
	dev = __vt_group_device_open(bdf, vt_have_iommufd(), &container,
				     &group);
	if (dev < 0)
		return -ENODEV;
	null = open("/dev/null", O_RDONLY);
	for (i = 0; i < 2; i++) {
		switch (v->a1) {
		case GFD_OWN_GROUP:
			r.fds[i] = group;
			break;
		case GFD_MINUS_ONE:
			r.fds[i] = -1;
			break;
		case GFD_DEV_NULL:
			r.fds[i] = null;
			break;
		default:
			r.fds[i] = dev;
			break;
		}
	}
	r.hdr.argsz = sizeof(r);
	r.hdr.flags = v->a2;
	r.hdr.count = v->a0;
	ret = sys_ret(ioctl(dev, VFIO_DEVICE_PCI_HOT_RESET, &r));
	if (null >= 0)
		close(null);
	if (dev >= 0)
		close(dev);
	if (group >= 0)
		close(group);
	close(container);
	return ret;
}

/* A fresh cdev fd of e1000e bound with a token, which cannot apply. */
static long do_bind_token(const struct bad_case *v)
{
	const char *bdf = vt_find_one(0x8086, 0x10d3);
	uint8_t uuid[16] = { 1, 2, 3, 4 };
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.flags = VFIO_DEVICE_BIND_FLAG_TOKEN,
		.token_uuid_ptr = v->a0 ? 0 : (uintptr_t)uuid,
	};
	int fd, iommufd;
	long ret;

	if (!bdf)
		return -ENODEV;
	fd = __vt_cdev_open(bdf);
	if (fd < 0)
		return fd;
	iommufd = vt_iommufd_open();
	bind.iommufd = iommufd;
	ret = sys_ret(ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	close(fd);
	close(iommufd);
	return ret;
}

/* An fd of @kind for OP_IOEVENTFD / OP_LOW_POWER_WAKEUP; *@own to close. */
static int bad_fd(enum bad_fd kind, int *own)
{
	int fd;

	*own = -1;
	switch (kind) {
	case FD_EVENTFD:
		*own = eventfd(0, EFD_CLOEXEC);
		return *own;
	case FD_MINUS_1:
		return -1;
	case FD_MINUS_2:
		return -2;
	case FD_CLOSED:
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		close(fd);
		return fd;
	default:
		*own = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return *own;
	}
}

static long do_ioeventfd(struct bad_state *self, const struct bad_case *v)
{
	struct vfio_device_ioeventfd req = {
		.argsz = v->a0 ? (uint32_t)v->a0 : IOEV_ARGSZ,
		.flags = v->a1,
		.offset = region_offset(self, v->a3 & 0xff, v->a2),
		.data = 0x5a,
	};
	int own;
	long ret;

	if (v->a0 == 0xffffffff)
		req.argsz = 0;
	req.fd = bad_fd(v->a3 >> 8, &own);
	ret = sys_ret(ioctl(self->dev.fd, VFIO_DEVICE_IOEVENTFD, &req));
	if (!ret && req.fd >= 0) {
		req.fd = -1;
		req.argsz = IOEV_ARGSZ;
		if (ioctl(self->dev.fd, VFIO_DEVICE_IOEVENTFD, &req))
			ret = -ENOTRECOVERABLE;
	}
	if (own >= 0)
		close(own);
	return ret;
}

static long low_power(int fd, uint32_t flags, uint32_t argsz, int32_t efd)
{
	uint32_t arg[16] = { argsz, flags, (uint32_t)efd };

	return sys_ret(ioctl(fd, VFIO_DEVICE_FEATURE, arg));
}

static long do_low_power(struct bad_state *self, const struct bad_case *v)
{
	int fd = self->dev.fd, own = -1;
	long ret;

	if (v->op == OP_LOW_POWER_TWICE) {
		ret = low_power(fd, F_SET | LP_ENTRY, FEAT_HDR, 0);
		if (!ret)
			ret = low_power(fd, F_SET | LP_ENTRY, FEAT_HDR, 0);
	} else {
		ret = low_power(fd, v->a0, v->a1, bad_fd(v->a2, &own));
	}
	/* Leave low power whatever happened; exit is idempotent. */
	if (low_power(fd, F_SET | LP_EXIT, FEAT_HDR, 0))
		ret = -ENOTRECOVERABLE;
	if (own >= 0)
		close(own);
	return ret;
}

static long run_op(char *why, size_t whylen, struct bad_state *self,
		   const struct bad_case *v)
{
	static uint8_t buf[4096];
	int fd = self->dev.fd;

	switch (v->op) {
	case OP_GET_INFO_ARGSZ:
		return raw_ioctl(fd, VFIO_DEVICE_GET_INFO, v->a0, 0, 0);
	case OP_REGION_INFO_ARGSZ:
		return raw_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, v->a0, 0, BAR0);
	case OP_IRQ_INFO_ARGSZ:
		return raw_ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, v->a0, 0, 0);
	case OP_BIND2:
		return do_bind2(self, v);
	case OP_BIND_AGAIN:
		return __vt_bind(fd, self->dev.iommufd, NULL);
	case OP_ATTACH: {
		struct vfio_device_attach_iommufd_pt at = {
			.argsz = v->a0 ? (uint32_t)v->a0 : sizeof(at),
			.flags = v->a1,
			.pt_id = self->dev.ioas_id,
		};

		if (v->a0 == 0xffffffff)
			at.argsz = 0;
		if (v->a2 == 1)
			at.pt_id = 0xdead;
		else if (v->a2 == 2)
			at.pt_id = self->dev.devid;
		return sys_ret(ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	}
	case OP_DETACH: {
		struct vfio_device_detach_iommufd_pt de = {
			.argsz = v->a0 ? (uint32_t)v->a0 : sizeof(de),
			.flags = v->a1,
		};

		if (v->a0 == 0xffffffff)
			de.argsz = 0;
		return sys_ret(ioctl(fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de));
	}
	case OP_UNBOUND_GET_INFO:
	case OP_UNBOUND_READ:
	case OP_UNBOUND_MMAP:
		return do_unbound(self, v->op);
	case OP_REGION_INFO: {
		struct vfio_region_info info;

		return __vt_region_info(fd, v->a0, &info);
	}
	case OP_IRQ_INFO: {
		struct vfio_irq_info info;

		return __vt_irq_info(fd, v->a0, &info);
	}
	case OP_READ:
		return sys_ret(pread(fd, buf, v->a2,
				     region_offset(self, v->a0, v->a1)));
	case OP_WRITE:
		memset(buf, 0, sizeof(buf));
		return sys_ret(pwrite(fd, buf, v->a2,
				      region_offset(self, v->a0, v->a1)));
	case OP_READ_ABS:
		return sys_ret(pread(fd, buf, v->a2, (off_t)v->a0));
	case OP_MMAP:
		return do_mmap(self, v);
	case OP_CFG_WRITE_RO:
		return do_cfg_write_ro(why, whylen, self, v);
	case OP_RESET:
		return sys_ret(ioctl(fd, VFIO_DEVICE_RESET));
	case OP_IOCTL:
		return raw_ioctl(fd, v->a0, v->a1, v->a2, v->a3);
	case OP_FEATURE: {
		uint32_t arg[16] = { (uint32_t)v->a1, (uint32_t)v->a0 };

		return sys_ret(ioctl(fd, VFIO_DEVICE_FEATURE, arg));
	}
	case OP_SET_IRQS:
		return do_set_irqs(self, v);
	case OP_GROUP_HOT_RESET:
		return do_group_hot_reset(v);
	case OP_BIND_TOKEN:
		return do_bind_token(v);
	case OP_IOEVENTFD:
		return do_ioeventfd(self, v);
	case OP_LOW_POWER_WAKEUP:
	case OP_LOW_POWER_TWICE:
		return do_low_power(self, v);
	}
	return -ENOSYS;
}

static const char *res_str(long r, char *buf, size_t len)
{
	if (r < 0)
		snprintf(buf, len, "-%s", strerrorname_np(-r) ?: "?");
	else
		snprintf(buf, len, "%ld", r);
	return buf;
}

/* The device must still answer normally after any bad input. */
static const char *check_usable(struct bad_state *self)
{
	struct vfio_region_info bar0;
	struct vfio_device_info info;
	uint16_t vendor = 0;
	uint32_t v32;

	if (__vt_get_info(self->dev.fd, &info) ||
	    !(info.flags & VFIO_DEVICE_FLAGS_PCI))
		return "GET_INFO fails afterwards";
	if (__vt_region_read(self->dev.fd, &self->cfg, 0, &vendor, 2) != 2 ||
	    vendor != self->vendor)
		return "config vendor ID no longer reads back";
	if (__vt_region_info(self->dev.fd, BAR0, &bar0) ||
	    bar0.size != self->bar0.size)
		return "BAR0 region info changed or fails afterwards";
	if (__vt_region_read(self->dev.fd, &bar0, 0, &v32, 4) != 4)
		return "BAR0 no longer reads";
	return NULL;
}

static bool device_has_reset(struct bad_state *self)
{
	struct vfio_device_info info;

	return !__vt_get_info(self->dev.fd, &info) &&
	       (info.flags & VFIO_DEVICE_FLAGS_RESET);
}

/* Rows that exercise the cdev and iommufd themselves. */
static bool op_needs_iommufd(enum bad_op op)
{
	switch (op) {
	case OP_BIND2:
	case OP_BIND_AGAIN:
	case OP_ATTACH:
	case OP_DETACH:
	case OP_UNBOUND_GET_INFO:
	case OP_UNBOUND_READ:
	case OP_UNBOUND_MMAP:
	case OP_BIND_TOKEN:
		return true;
	default:
		return false;
	}
}

/* One row: run it, compare, check the device still works.  A TAP line. */
static void run_case(const struct bad_case *c, struct bad_state *st)
{
	char got[32], want[32], alt[32], why[160] = "";
	const char *broken;
	long ret;

	if (op_needs_iommufd(c->op) && !vt_have_iommufd()) {
		ksft_test_result_skip("%s: %s\n", c->name, VT_NO_IOMMUFD);
		return;
	}
	if (!state_open(st, c->dev)) {
		ksft_test_result_skip("%s: no %s bound to vfio-pci\n", c->name,
				      c->dev == DEV_IGB ? "igb" : "edu");
		return;
	}
	if (c->op == OP_RESET && device_has_reset(st)) {
		ksft_test_result_skip("%s: device advertises VFIO_DEVICE_FLAGS_RESET\n",
				      c->name);
		return;
	}

	ret = run_op(why, sizeof(why), st, c);
	res_str(ret, got, sizeof(got));
	res_str(c->expect, want, sizeof(want));
	ksft_print_msg("%s: got %s, upstream %s (%s)\n", c->name, got, want,
		       c->upstream);

	broken = check_usable(st);
	if (broken) {
		ksft_test_result_fail("%s: %s\n", c->name, broken);
		state_close(st);
	} else if (why[0]) {
		ksft_test_result_fail("%s: %s\n", c->name, why);
	} else if (ret == c->expect) {
		ksft_test_result_pass("%s\n", c->name);
	} else if (core_lacks_feature(c, ret)) {
		ksft_test_result_skip("%s: this kernel's vfio core has no PRECOPY_INFOv2\n",
				      c->name);
	} else if (c->alt_reason && ret == c->alt && pending()) {
		ksft_test_result_skip("%s: %s: ours %s, upstream %s\n", c->name,
				      c->alt_reason, got, want);
	} else {
		if (c->alt_reason)
			ksft_print_msg("%s: ours-today answer %s (%s) is accepted only with VT_PENDING_FEATURES=1\n",
				       c->name,
				       res_str(c->alt, alt, sizeof(alt)),
				       c->alt_reason);
		ksft_test_result_fail("%s: got %s, upstream %s\n", c->name, got,
				      want);
	}
}

int main(void)
{
	static struct bad_state states[2];
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]);

	ksft_print_header();
	ksft_set_plan(n);
	for (i = 0; i < n; i++)
		run_case(&cases[i], &states[cases[i].dev]);
	state_close(&states[DEV_EDU]);
	state_close(&states[DEV_IGB]);
	ksft_finished();
}
