// SPDX-License-Identifier: GPL-2.0
/*
 * PASID: VFIO_DEVICE_ATTACH_IOMMUFD_PT / _DETACH_ with VFIO_DEVICE_ATTACH_PASID
 * on the cdev path, and the VF PASID capability of vf-pasid-vfio-pci.
 *
 *   uapi      every step of each scenario (IOMMU_GET_HW_INFO, bad argsz and
 *             flags, PASID to an IOAS id, to ALLOC_PASID HWPTs, replace,
 *             RID moves while a PASID is attached, double detach, close,
 *             the group path) on nvme (no PASID capability) and igb (the
 *             one pci-fake-pasid gives a PASID capability at boot), compared
 *             errno by errno with what the kernel's own vfio-pci returned.
 *   table     with that capability, the Intel IOMMU really programs the
 *             PASID entry: it points at the HWPT's page table, detach and
 *             close clear it, PASID 2 is refused (QEMU's VT-d gives 2).
 *   vf        igb VFs (PF on the host igb driver) bound to
 *             vf-pasid-vfio-pci: the virtual PASID and PRI capabilities,
 *             their control registers against the PF's, the PF turning
 *             PASID off and SR-IOV off under an open VF, the VF's PASID
 *             entry in debugfs, and ids= entries refused at load.
 *
 * It runs in make check's PASID boot (guest/pasid.sh: VT-d in scalable mode
 * with PASID, the igb PF given a PASID capability by pci-fake-pasid).
 * Reference: that job runs this binary once with the kernel's own vfio-pci
 * loaded and VT_PASID_RECORD=FILE: the uapi scenarios then write each
 * step's result to FILE, and the vf_ref fixture saves a snapshot of a VF
 * bound to the kernel's vfio-pci next to it (FILE.vf.snap).  In the normal
 * run (VT_PASID_REFERENCE=FILE, default build/check/reference-pasid/
 * pasid.txt) every step is compared with FILE; each difference fails.
 *
 * Not possible here: no emulated device sends PASID-tagged DMA, so
 * translation through a PASID is never exercised; the checks end at "the
 * PASID entry points at the HWPT's page table".
 */
#include <linux/pci_regs.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/pci_sysfs.h"
#include "lib/vfio_pasid.h"
#include "lib/vfio_snapshot.h"
#include "lib/vfio_sriov.h"

/* Opens, closes and resets of a TCG guest on a busy host are slow. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300

#define IGB_VF_DEVICE	0x10ca
#define VF_PASID_AT	0x200		/* vf-pasid-vfio-pci's table entry */
#define VF_PASID_DRV	"vf-pasid-vfio-pci"
#define TEST_IOVA	0x100000ull
#define MAX_STEPS	32

/* ---------------------------------------------------------------------- */
/* Steps: recorded with the kernel's vfio-pci, compared with ours          */
/* ---------------------------------------------------------------------- */

struct steps {
	const char *dev;
	const char *scenario;
	int n;
	const char *name[MAX_STEPS];
	long val[MAX_STEPS];
};

static const char *record_file(void)
{
	return getenv("VT_PASID_RECORD");
}

static void reference_file(char *buf, size_t len)
{
	if (getenv("VT_PASID_REFERENCE"))
		snprintf(buf, len, "%s", getenv("VT_PASID_REFERENCE"));
	else
		snprintf(buf, len, "%s/build/check/reference-pasid/pasid.txt",
			 vt_repo_dir());
}

static void step(struct steps *s, const char *name, long val)
{
	if (s->n < MAX_STEPS) {
		s->name[s->n] = name;
		s->val[s->n++] = val;
	}
}

/* Look @dev @scenario @name up in the reference; -ENOENT without it. */
static int reference_value(const char *dev, const char *scenario,
			   const char *name, long *val)
{
	char path[PATH_MAX], d[32], sc[48], nm[48], line[256];
	int ret = -ENOENT;
	long v;
	FILE *f;

	reference_file(path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %47s %47s %ld", d, sc, nm, &v) != 4)
			continue;
		if (!strcmp(d, dev) && !strcmp(sc, scenario) &&
		    !strcmp(nm, name)) {
			*val = v;
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}

/* Record the steps, or compare them with the reference one by one. */
static int finish(struct steps *s)
{
	int i, open = 0;
	long ref;
	FILE *f;

	if (record_file()) {
		f = fopen(record_file(), "a");
		if (!f)
			return -errno;
		for (i = 0; i < s->n; i++)
			fprintf(f, "%s %s %s %ld\n", s->dev, s->scenario,
				s->name[i], s->val[i]);
		fclose(f);
		return 0;
	}
	for (i = 0; i < s->n; i++) {
		int ret = reference_value(s->dev, s->scenario, s->name[i],
					  &ref);

		if (ret) {
			fprintf(stderr, "#   %s: no reference (%s)\n",
				s->name[i], strerror(-ret));
			open++;
		} else if (ref != s->val[i]) {
			fprintf(stderr, "#   %s: ours %ld, the kernel's vfio-pci %ld\n",
				s->name[i], s->val[i], ref);
			open++;
		} else {
			fprintf(stderr, "#   %s: %ld, as the kernel's vfio-pci\n",
				s->name[i], s->val[i]);
		}
	}
	return open;
}

/* ---------------------------------------------------------------------- */
/* uapi: the differential scenarios                                        */
/* ---------------------------------------------------------------------- */

FIXTURE(uapi) {
	struct vt_device d;
	struct steps s;
};

FIXTURE_VARIANT(uapi) {
	const char *name;
	uint16_t vendor;
	uint16_t device;
};

FIXTURE_VARIANT_ADD(uapi, nvme) {
	.name = "nvme", .vendor = 0x1b36, .device = 0x0010,
};

FIXTURE_VARIANT_ADD(uapi, igb) {
	.name = "igb", .vendor = 0x8086, .device = 0x10c9,
};

/* The device bound to a fresh iommufd, nothing attached. */
FIXTURE_SETUP(uapi)
{
	const char *bdf = vt_find_one(variant->vendor, variant->device);
	char ref[PATH_MAX];
	struct stat st;

	memset(&self->s, 0, sizeof(self->s));
	self->d.fd = -1;
	self->d.iommufd = -1;
	if (!bdf)
		SKIP(return, "no %s bound to vfio-pci", variant->name);
	reference_file(ref, sizeof(ref));
	if (!record_file())
		ASSERT_EQ(0, stat(ref, &st)) {
			TH_LOG("no reference results in %.900s (did the reference step of check.sh run?)",
			       ref);
		}
	memset(&self->d, 0, sizeof(self->d));
	snprintf(self->d.bdf, sizeof(self->d.bdf), "%s", bdf);
	self->d.fd = vt_cdev_open(bdf);
	self->d.iommufd = vt_iommufd_open();
	ASSERT_EQ(0, __vt_bind(self->d.fd, self->d.iommufd, &self->d.devid));
	self->d.ioas_id = vt_ioas_alloc(self->d.iommufd);
	self->s.dev = variant->name;
}

FIXTURE_TEARDOWN(uapi)
{
	vt_device_close(&self->d);
}

#define FINISH() ASSERT_EQ(0, finish(&self->s))

TEST_F(uapi, hw_info)
{
	struct iommu_hw_info info;

	self->s.scenario = "hw_info";
	step(&self->s, "get_hw_info", __vt_hw_info(self->d.iommufd,
						   self->d.devid, &info));
	step(&self->s, "max_pasid_log2", info.out_max_pasid_log2);
	step(&self->s, "pasid_exec_priv", info.out_capabilities &
	     (IOMMU_HW_CAP_PCI_PASID_EXEC | IOMMU_HW_CAP_PCI_PASID_PRIV));
	FINISH();
}

TEST_F(uapi, bad_input)
{
	int fd = self->d.fd;
	uint32_t ioas = self->d.ioas_id, hwpt;

	self->s.scenario = "bad_input";
	ASSERT_EQ(0, __vt_hwpt_alloc(self->d.iommufd, self->d.devid, ioas,
				     IOMMU_HWPT_ALLOC_PASID, &hwpt));
	/* The sizes and flags the vfio core checks. */
	step(&self->s, "attach_argsz_11", __vt_attach_raw(fd, 11, 0, ioas, 0));
	step(&self->s, "attach_flag_2", __vt_attach_raw(fd, 16, 2, ioas, 1));
	step(&self->s, "attach_flags_all", __vt_attach_raw(fd, 16, ~0u, hwpt, 1));
	step(&self->s, "attach_pasid_argsz_12",
	     __vt_attach_raw(fd, 12, VFIO_DEVICE_ATTACH_PASID, hwpt, 1));
	step(&self->s, "attach_pasid_argsz_15",
	     __vt_attach_raw(fd, 15, VFIO_DEVICE_ATTACH_PASID, hwpt, 1));
	step(&self->s, "detach_argsz_7", __vt_detach_raw(fd, 7, 0, 0));
	step(&self->s, "detach_flag_2", __vt_detach_raw(fd, 12, 2, 1));
	step(&self->s, "detach_pasid_argsz_8",
	     __vt_detach_raw(fd, 8, VFIO_DEVICE_DETACH_PASID, 1));
	/* Objects that are not page tables, or none. */
	step(&self->s, "attach_pasid_to_id_0", __vt_pasid_attach(fd, 1, 0, NULL));
	step(&self->s, "attach_pasid_to_devid",
	     __vt_pasid_attach(fd, 1, self->d.devid, NULL));
	step(&self->s, "attach_pasid_to_unknown",
	     __vt_pasid_attach(fd, 1, 0xfffff, NULL));
	step(&self->s, "attach_pasid_2pow20",
	     __vt_pasid_attach(fd, 1u << 20, hwpt, NULL));
	step(&self->s, "detach_pasid_never_attached",
	     __vt_pasid_detach(fd, 5));
	step(&self->s, "destroy_hwpt", __vt_destroy(self->d.iommufd, hwpt));
	EXPECT_EQ(-EINVAL, self->s.val[0]);
	EXPECT_EQ(-EINVAL, self->s.val[1]);
	EXPECT_EQ(-EINVAL, self->s.val[3]);
	EXPECT_EQ(-EINVAL, self->s.val[5]);
	EXPECT_EQ(-EINVAL, self->s.val[6]);
	EXPECT_EQ(-EINVAL, self->s.val[7]);
	EXPECT_EQ(0, self->s.val[12]);
	FINISH();
}

TEST_F(uapi, pasid_to_ioas)
{
	int fd = self->d.fd;
	uint32_t ioas = self->d.ioas_id;

	self->s.scenario = "pasid_to_ioas";
	/* An IOAS gives an auto domain, never PASID-compatible. */
	step(&self->s, "pasid_to_ioas_rid_unattached",
	     __vt_pasid_attach(fd, 1, ioas, NULL));
	step(&self->s, "rid_to_ioas", __vt_attach(fd, ioas, NULL));
	step(&self->s, "pasid_to_ioas_rid_on_ioas",
	     __vt_pasid_attach(fd, 1, ioas, NULL));
	step(&self->s, "rid_detach", __vt_detach(fd));
	EXPECT_EQ(-EINVAL, self->s.val[0]);
	EXPECT_EQ(-EINVAL, self->s.val[2]);
	FINISH();
}

TEST_F(uapi, alloc_pasid_hwpt)
{
	int fd = self->d.fd, ifd = self->d.iommufd;
	uint32_t ioas = self->d.ioas_id, h1, h2, plain, out = 0;

	self->s.scenario = "alloc_pasid_hwpt";
	ASSERT_EQ(0, __vt_hwpt_alloc(ifd, self->d.devid, ioas,
				     IOMMU_HWPT_ALLOC_PASID, &h1));
	ASSERT_EQ(0, __vt_hwpt_alloc(ifd, self->d.devid, ioas,
				     IOMMU_HWPT_ALLOC_PASID, &h2));
	ASSERT_EQ(0, __vt_hwpt_alloc(ifd, self->d.devid, ioas, 0, &plain));

	step(&self->s, "pasid1_to_hwpt1", __vt_pasid_attach(fd, 1, h1, &out));
	step(&self->s, "pt_id_echoed", out == h1);
	/* RID moves while PASID 1 is attached. */
	step(&self->s, "rid_to_ioas", __vt_attach(fd, ioas, NULL));
	step(&self->s, "rid_to_plain_hwpt", __vt_attach(fd, plain, NULL));
	step(&self->s, "rid_to_hwpt1", __vt_attach(fd, h1, NULL));
	step(&self->s, "rid_replace_to_hwpt2", __vt_attach(fd, h2, NULL));
	step(&self->s, "rid_replace_to_plain", __vt_attach(fd, plain, NULL));
	step(&self->s, "rid_detach", __vt_detach(fd));
	/* Replace, a second PASID, detach twice. */
	step(&self->s, "pasid1_replace_hwpt2", __vt_pasid_attach(fd, 1, h2, NULL));
	step(&self->s, "destroy_hwpt1_unused", __vt_destroy(ifd, h1));
	step(&self->s, "destroy_hwpt2_in_use", __vt_destroy(ifd, h2));
	step(&self->s, "pasid2_to_hwpt2", __vt_pasid_attach(fd, 2, h2, NULL));
	step(&self->s, "pasid1_to_plain", __vt_pasid_attach(fd, 1, plain, NULL));
	step(&self->s, "detach_pasid1", __vt_pasid_detach(fd, 1));
	step(&self->s, "detach_pasid1_again", __vt_pasid_detach(fd, 1));
	step(&self->s, "detach_pasid2", __vt_pasid_detach(fd, 2));
	step(&self->s, "destroy_hwpt2", __vt_destroy(ifd, h2));
	step(&self->s, "rid_to_plain_after", __vt_attach(fd, plain, NULL));
	EXPECT_EQ(0, self->s.val[0]);
	EXPECT_EQ(1, self->s.val[1]);
	EXPECT_EQ(-EINVAL, self->s.val[2]);
	EXPECT_EQ(0, self->s.val[8]);
	EXPECT_EQ(-EBUSY, self->s.val[10]);
	EXPECT_EQ(0, self->s.val[13]);
	EXPECT_EQ(0, self->s.val[14]);
	FINISH();
}

TEST_F(uapi, close_detaches_all)
{
	int ifd = self->d.iommufd;
	uint32_t h;

	self->s.scenario = "close_detaches_all";
	ASSERT_EQ(0, __vt_hwpt_alloc(ifd, self->d.devid, self->d.ioas_id,
				     IOMMU_HWPT_ALLOC_PASID, &h));
	step(&self->s, "pasid1_attach", __vt_pasid_attach(self->d.fd, 1, h,
							  NULL));
	step(&self->s, "destroy_in_use", __vt_destroy(ifd, h));
	close(self->d.fd);
	self->d.fd = -1;
	step(&self->s, "destroy_after_close", __vt_destroy(ifd, h));
	EXPECT_EQ(-EBUSY, self->s.val[1]);
	EXPECT_EQ(0, self->s.val[2]);
	FINISH();
}

/* The ioctls are the cdev's: a group-path device fd does not know them. */
TEST_F(uapi, group_path)
{
	char path[64];
	int group, container, dev;
	uint32_t ioas = self->d.ioas_id;

	self->s.scenario = "group_path";
	vt_device_close(&self->d);
	snprintf(path, sizeof(path), "/dev/vfio/%d", vt_iommu_group(self->d.bdf));
	group = open(path, O_RDWR);
	ASSERT_LE(0, group);
	container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, container);
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	ASSERT_EQ(0, ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, self->d.bdf);
	ASSERT_LE(0, dev);
	step(&self->s, "group_pasid_attach",
	     __vt_attach_raw(dev, 16, VFIO_DEVICE_ATTACH_PASID, ioas, 1));
	step(&self->s, "group_pasid_detach",
	     __vt_detach_raw(dev, 12, VFIO_DEVICE_DETACH_PASID, 1));
	step(&self->s, "group_rid_attach", __vt_attach_raw(dev, 12, 0, ioas, 0));
	close(dev);
	close(group);
	close(container);
	EXPECT_EQ(-ENOTTY, self->s.val[0]);
	EXPECT_EQ(-ENOTTY, self->s.val[1]);
	FINISH();
}

/* ---------------------------------------------------------------------- */
/* table: the PASID entry the IOMMU programs                               */
/* ---------------------------------------------------------------------- */

/*
 * Open @bdf with the RID left unattached (an IOAS's auto domain would refuse
 * PASIDs), map a page at TEST_IOVA, make an ALLOC_PASID HWPT on the IOAS.
 */
static int pasid_ready(struct vt_device *d, const char *bdf, void **buf,
		       uint32_t *hwpt, uint8_t *log2)
{
	struct iommu_hw_info info;
	int ret;

	vt_device_open(d, bdf);
	ret = __vt_detach(d->fd);
	if (!ret)
		ret = __vt_hw_info(d->iommufd, d->devid, &info);
	if (ret)
		return ret;
	*log2 = info.out_max_pasid_log2;
	*buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*buf == MAP_FAILED)
		return -ENOMEM;
	ret = __vt_ioas_map(d->iommufd, d->ioas_id, TEST_IOVA, *buf, 4096);
	if (ret)
		return ret;
	return __vt_hwpt_alloc(d->iommufd, d->devid, d->ioas_id,
			       IOMMU_HWPT_ALLOC_PASID, hwpt);
}

/*
 * PASID 1 of @d on the HWPT: the scalable-mode PASID entry and the
 * per-PASID debugfs node agree on one page table, which maps TEST_IOVA.
 */
static void check_programmed(struct __test_metadata *_metadata,
			     const char *bdf, uint64_t *pgd)
{
	unsigned int pgtt = 0;
	uint64_t dpgd = 0;
	bool mapped = false;

	ASSERT_EQ(0, vt_dmar_pasid_entry(bdf, 1, pgd, &pgtt));
	EXPECT_TRUE(pgtt == 1 || pgtt == 2) {
		TH_LOG("PGTT %u", pgtt);
	}
	EXPECT_NE(0, *pgd);
	ASSERT_EQ(0, vt_dmar_domain(bdf, 1, TEST_IOVA, &dpgd, &mapped));
	EXPECT_EQ(*pgd, dpgd);
	EXPECT_TRUE(mapped);
	TH_LOG("%s PASID 1: PGTT %u, page table @0x%llx maps IOVA 0x%llx",
	       bdf, pgtt, (unsigned long long)*pgd, TEST_IOVA);
}

static void check_cleared(struct __test_metadata *_metadata, const char *bdf)
{
	unsigned int pgtt;
	uint64_t pgd;
	bool mapped;

	EXPECT_EQ(-ENOENT, vt_dmar_pasid_entry(bdf, 1, &pgd, &pgtt));
	EXPECT_EQ(-ENOENT, vt_dmar_domain(bdf, 1, TEST_IOVA, &pgd, &mapped));
}

TEST(pasid_table)
{
	const char *bdf = vt_find_one(0x8086, 0x10c9);
	uint64_t pgd, pgd0 = 0;
	unsigned int pgtt;
	struct vt_device d;
	uint32_t hwpt;
	uint8_t log2 = 0;
	void *buf;

	if (record_file())
		SKIP(return, "recording the reference: nothing to record here");
	if (!bdf)
		SKIP(return, "no igb bound to vfio-pci");
	ASSERT_EQ(0, pasid_ready(&d, bdf, &buf, &hwpt, &log2));
	if (!log2)
		SKIP(return, "igb has no PASID capability: pci-fake-pasid not loaded?");
	/* QEMU's VT-d: PSS 0, two PASIDs; the fake capability offers 2^20. */
	EXPECT_EQ(1, log2);

	check_cleared(_metadata, bdf);
	ASSERT_EQ(0, __vt_pasid_attach(d.fd, 1, hwpt, NULL));
	check_programmed(_metadata, bdf, &pgd);
	/* The RID on the same HWPT: PASID 0's entry, the same page table. */
	ASSERT_EQ(0, __vt_attach(d.fd, hwpt, NULL));
	ASSERT_EQ(0, vt_dmar_pasid_entry(bdf, 0, &pgd0, &pgtt));
	EXPECT_EQ(pgd, pgd0);
	/* Beyond what the IOMMU gives the device. */
	EXPECT_EQ(-EINVAL, __vt_pasid_attach(d.fd, 2, hwpt, NULL));
	EXPECT_EQ(-ENOENT, vt_dmar_pasid_entry(bdf, 2, &pgd, &pgtt));

	ASSERT_EQ(0, __vt_pasid_detach(d.fd, 1));
	check_cleared(_metadata, bdf);
	ASSERT_EQ(0, __vt_pasid_attach(d.fd, 1, hwpt, NULL));
	check_programmed(_metadata, bdf, &pgd);
	close(d.fd);
	check_cleared(_metadata, bdf);
	EXPECT_EQ(0, __vt_destroy(d.iommufd, hwpt));
	close(d.iommufd);
	munmap(buf, 4096);
}

/* ---------------------------------------------------------------------- */
/* vf: vf-pasid-vfio-pci on igb VFs                                        */
/* ---------------------------------------------------------------------- */

/* Offset of extended capability @id in a 4 KiB config image, or 0. */
static unsigned int ecap_find(const uint8_t *cfg, unsigned int id,
			      unsigned int *last)
{
	unsigned int pos = 0x100, n = 0, found = 0;
	uint32_t hdr;

	*last = 0;
	while (pos >= 0x100 && pos < 0x1000 && n++ < 64) {
		memcpy(&hdr, cfg + pos, 4);
		if (!hdr)
			break;
		if ((hdr & 0xffff) == id && !found)
			found = pos;
		*last = pos;
		pos = hdr >> 20;
	}
	return found;
}

/* The igb PF on the host igb driver with two VFs. */
struct vf_env {
	char pf[VT_BDF_LEN];
	char vf[2][VT_BDF_LEN];
	unsigned int pf_pasid;
	int nvfs;
};

/* PF's config through sysfs (the host's view, not vfio's). */
static uint16_t pf_read16(const char *pf, unsigned int off)
{
	uint16_t v = 0xffff;

	vt_sysfs_config(pf, off, &v, 2, 0);
	return v;
}

static int pf_write16(const char *pf, unsigned int off, uint16_t v)
{
	return vt_sysfs_config(pf, off, &v, 2, 1);
}

/*
 * The igb PF moves to the host igb driver, which makes two VFs; VF 0 goes
 * to @driver.  0, or a reason to skip in *@why, or -1 on failure.
 */
static int vf_env_up(struct __test_metadata *_metadata, struct vf_env *e,
		     const char *driver, const char **why)
{
	const char *pf = vt_find_one(0x8086, 0x10c9);
	uint8_t cfg[4096];
	unsigned int last;

	memset(e, 0, sizeof(*e));
	*why = "no igb PF bound to vfio-pci";
	if (!pf)
		return 1;
	if (vt_sysfs_config(pf, 0, cfg, sizeof(cfg), 0))
		return -1;
	*why = "the igb PF has no PASID capability: pci-fake-pasid not loaded?";
	e->pf_pasid = ecap_find(cfg, 0x1b, &last);
	if (!e->pf_pasid)
		return 1;
	snprintf(e->pf, sizeof(e->pf), "%s", pf);
	e->nvfs = 2;
	if (vt_host_vfs_up(pf, "igb", 2, e->vf))
		return -1;
	return vt_driver_move(e->vf[0], driver) ? -1 : 0;
}

static void vf_env_down(struct __test_metadata *_metadata, struct vf_env *e)
{
	if (!e->pf[0])
		return;
	EXPECT_EQ(0, vt_host_vfs_down(e->pf, e->nvfs, e->vf));
}

/* vf_ref: recorded through the kernel's vfio-pci, compared with ours. */
FIXTURE(vf_ref) {
	struct vf_env e;
};

FIXTURE_SETUP(vf_ref)
{
	const char *why;
	int ret = vf_env_up(_metadata, &self->e,
			    record_file() ? "vfio-pci" : VF_PASID_DRV, &why);

	if (ret > 0)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(vf_ref)
{
	vf_env_down(_metadata, &self->e);
}

/* vf: ours alone. */
FIXTURE(vf) {
	struct vf_env e;
};

FIXTURE_SETUP(vf)
{
	const char *why;
	int ret;

	memset(&self->e, 0, sizeof(self->e));
	if (record_file())
		SKIP(return, "recording the reference: ours only");
	ret = vf_env_up(_metadata, &self->e, VF_PASID_DRV, &why);
	if (ret > 0)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(vf)
{
	vf_env_down(_metadata, &self->e);
}

static void vf_config(struct __test_metadata *_metadata, int fd,
		      uint8_t *cfg)
{
	struct vfio_region_info reg;

	ASSERT_EQ(0, __vt_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &reg));
	ASSERT_EQ(4096, __vt_region_read(fd, &reg, 0, cfg, 4096));
}

static int vf_cfg16(int fd, unsigned int off, uint16_t *v, bool write)
{
	struct vfio_region_info reg;
	ssize_t n;
	int ret = __vt_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &reg);

	if (ret)
		return ret;
	n = write ? __vt_region_write(fd, &reg, off, v, 2) :
		    __vt_region_read(fd, &reg, off, v, 2);
	return n < 0 ? n : 0;
}

/* Where the reference's VF snapshot goes. */
static void vf_snap_path(char *buf, size_t len)
{
	char ref[PATH_MAX - 16];

	if (record_file())
		snprintf(buf, len, "%s.vf.snap", record_file());
	else {
		reference_file(ref, sizeof(ref));
		snprintf(buf, len, "%s.vf.snap", ref);
	}
}

/*
 * The whole config space equals the kernel's vfio-pci's for the same VF
 * but for exactly what the variant adds: the PASID and PRI capabilities at
 * 0x200..0x217 and the link to them in the last capability's header.
 */
TEST_F(vf_ref, config_vs_reference)
{
	struct vt_snapshot *snap = calloc(1, sizeof(*snap));
	struct vt_snapshot *ref = calloc(1, sizeof(*ref));
	char path[PATH_MAX];
	unsigned int last, i, open = 0, allowed = 0;
	struct vt_device d;

	ASSERT_NE(NULL, snap);
	ASSERT_NE(NULL, ref);
	vf_snap_path(path, sizeof(path));
	vt_device_open(&d, self->e.vf[0]);
	vt_snapshot_take(snap, self->e.vf[0], d.fd);
	vt_device_close(&d);
	if (record_file()) {
		ASSERT_EQ(0, vt_snapshot_save(snap, path));
		goto out;
	}
	ASSERT_EQ(0, vt_snapshot_load(ref, path)) {
		TH_LOG("no VF reference snapshot %s", path);
	}
	ecap_find(ref->cfg, 0xffff, &last);
	ASSERT_NE(0, last);
	for (i = 0; i < snap->cfg_size; i++) {
		bool ok = (i >= VF_PASID_AT && i < VF_PASID_AT + 24) ||
			  i == last + 2 || i == last + 3;

		if (snap->cfg[i] == ref->cfg[i])
			continue;
		if (ok) {
			allowed++;
			continue;
		}
		open++;
		TH_LOG("config 0x%03x: ours 0x%02x, the kernel's vfio-pci 0x%02x",
		       i, snap->cfg[i], ref->cfg[i]);
	}
	TH_LOG("%u bytes differ where the variant places PASID/PRI and links them",
	       allowed);
	EXPECT_EQ(0, open);
	EXPECT_NE(0, allowed);
	EXPECT_EQ(ref->cfg_size, snap->cfg_size);
	EXPECT_EQ(0, memcmp(ref->region, snap->region, sizeof(ref->region)));
	EXPECT_EQ(0, memcmp(ref->irq, snap->irq, sizeof(ref->irq)));
out:
	free(snap);
	free(ref);
}

TEST_F(vf, capability_mirrors_pf)
{
	uint8_t cfg[4096], pfcfg[4096];
	struct iommu_hw_info info;
	unsigned int last, pflast, pos, pri, pf_pri;
	uint16_t cap, pfcap;
	struct vt_device d;
	uint32_t hdr;

	vt_device_open(&d, self->e.vf[0]);
	vf_config(_metadata, d.fd, cfg);
	ASSERT_EQ(0, vt_sysfs_config(self->e.pf, 0, pfcfg, sizeof(pfcfg), 0));

	pos = ecap_find(cfg, 0x1b, &last);
	ASSERT_EQ(VF_PASID_AT, pos);
	memcpy(&hdr, cfg + pos, 4);
	EXPECT_EQ(1, (hdr >> 16) & 0xf);
	pri = ecap_find(cfg, 0x13, &last);
	pf_pri = ecap_find(pfcfg, 0x13, &pflast);
	if (pf_pri) {
		EXPECT_EQ(VF_PASID_AT + 8, pri);
		/* Outstanding page request capacity: the PF's. */
		EXPECT_EQ(0, memcmp(cfg + pri + 8, pfcfg + pf_pri + 8, 4));
	} else {
		EXPECT_EQ(0, pri);
	}
	/* The chain ends after them: nothing follows, nothing overlaps. */
	EXPECT_EQ(pri ? pri : pos, last);

	memcpy(&cap, cfg + pos + 4, 2);
	memcpy(&pfcap, pfcfg + self->e.pf_pasid + 4, 2);
	EXPECT_EQ(pfcap & 6, cap & 6);
	ASSERT_EQ(0, __vt_hw_info(d.iommufd, d.devid, &info));
	EXPECT_EQ(info.out_max_pasid_log2, (cap >> 8) & 0x1f);
	EXPECT_NE(0, info.out_max_pasid_log2);
	EXPECT_EQ(!!(info.out_capabilities & IOMMU_HW_CAP_PCI_PASID_EXEC),
		  !!(cap & 2));
	EXPECT_EQ(!!(info.out_capabilities & IOMMU_HW_CAP_PCI_PASID_PRIV),
		  !!(cap & 4));
	TH_LOG("VF PASID at 0x%x: cap 0x%04x, iommufd max_pasid_log2 %u",
	       pos, cap, info.out_max_pasid_log2);
	vt_device_close(&d);
}

TEST_F(vf, pasid_control)
{
	unsigned int ctrl = VF_PASID_AT + 6, pf_ctrl = self->e.pf_pasid + 6;
	uint16_t v, pf_saved;
	struct vt_device d;

	vt_device_open(&d, self->e.vf[0]);
	ASSERT_EQ(0, vf_cfg16(d.fd, ctrl, &v, false));
	EXPECT_EQ(0, v);
	/* Enable, EXEC, PRIV stick; reserved bits do not. */
	v = 0xfff7;
	ASSERT_EQ(0, vf_cfg16(d.fd, ctrl, &v, true));
	ASSERT_EQ(0, vf_cfg16(d.fd, ctrl, &v, false));
	EXPECT_EQ(7, v);
	/* The capability register is read-only. */
	v = 0;
	vf_cfg16(d.fd, VF_PASID_AT + 4, &v, true);
	ASSERT_EQ(0, vf_cfg16(d.fd, VF_PASID_AT + 4, &v, false));
	EXPECT_NE(0, v);

	/* The PF's PASID turned off behind the VF user's back. */
	pf_saved = pf_read16(self->e.pf, pf_ctrl);
	ASSERT_TRUE(pf_saved & 1);
	ASSERT_EQ(0, pf_write16(self->e.pf, pf_ctrl, 0));
	ASSERT_EQ(0, vf_cfg16(d.fd, ctrl, &v, false));
	EXPECT_EQ(6, v);
	v = 7;
	EXPECT_EQ(-EBUSY, vf_cfg16(d.fd, ctrl, &v, true));
	ASSERT_EQ(0, vf_cfg16(d.fd, ctrl, &v, false));
	EXPECT_EQ(6, v);
	/* Back on: the VF may enable again. */
	ASSERT_EQ(0, pf_write16(self->e.pf, pf_ctrl, pf_saved));
	v = 7;
	EXPECT_EQ(0, vf_cfg16(d.fd, ctrl, &v, true));
	ASSERT_EQ(0, vf_cfg16(d.fd, ctrl, &v, false));
	EXPECT_EQ(7, v);
	vt_device_close(&d);

	/* Every open starts disabled. */
	vt_device_open(&d, self->e.vf[0]);
	ASSERT_EQ(0, vf_cfg16(d.fd, ctrl, &v, false));
	EXPECT_EQ(0, v);
	vt_device_close(&d);
}

TEST_F(vf, pri_control)
{
	unsigned int pri = VF_PASID_AT + 8, last, pf_pri;
	struct vfio_region_info reg;
	uint16_t v, pf_saved;
	uint8_t pfcfg[4096];
	struct vt_device d;
	uint32_t alloc = 0x1234;

	ASSERT_EQ(0, vt_sysfs_config(self->e.pf, 0, pfcfg, sizeof(pfcfg), 0));
	pf_pri = ecap_find(pfcfg, 0x13, &last);
	if (!pf_pri)
		SKIP(return, "the PF has no PRI");
	vt_device_open(&d, self->e.vf[0]);
	pf_saved = pf_read16(self->e.pf, pf_pri + 4);
	/* Nothing enables the PF's PRI here (no ATS): refused. */
	ASSERT_EQ(0, pf_write16(self->e.pf, pf_pri + 4, 0));
	v = 1;
	EXPECT_EQ(-EBUSY, vf_cfg16(d.fd, pri + 4, &v, true));
	ASSERT_EQ(0, vf_cfg16(d.fd, pri + 6, &v, false));
	EXPECT_TRUE(v & 0x100);		/* Stopped */
	ASSERT_EQ(0, pf_write16(self->e.pf, pf_pri + 4, 1));
	v = 1;
	EXPECT_EQ(0, vf_cfg16(d.fd, pri + 4, &v, true));
	ASSERT_EQ(0, vf_cfg16(d.fd, pri + 4, &v, false));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, vf_cfg16(d.fd, pri + 6, &v, false));
	EXPECT_FALSE(v & 0x100);
	/* The allocation register is the user's. */
	ASSERT_EQ(0, __vt_region_info(d.fd, VFIO_PCI_CONFIG_REGION_INDEX, &reg));
	ASSERT_EQ(4, __vt_region_write(d.fd, &reg, pri + 12, &alloc, 4));
	alloc = 0;
	ASSERT_EQ(4, __vt_region_read(d.fd, &reg, pri + 12, &alloc, 4));
	EXPECT_EQ(0x1234, alloc);
	/* The PF's PRI off again: the VF's enable drops. */
	ASSERT_EQ(0, pf_write16(self->e.pf, pf_pri + 4, 0));
	ASSERT_EQ(0, vf_cfg16(d.fd, pri + 4, &v, false));
	EXPECT_EQ(0, v);
	pf_write16(self->e.pf, pf_pri + 4, pf_saved);
	vt_device_close(&d);
}

TEST_F(vf, pasid_attach_programs_vf_entry)
{
	struct vt_device d;
	uint32_t hwpt;
	uint8_t log2 = 0;
	uint64_t pgd;
	void *buf;

	ASSERT_EQ(0, pasid_ready(&d, self->e.vf[0], &buf, &hwpt, &log2));
	EXPECT_EQ(1, log2);
	check_cleared(_metadata, self->e.vf[0]);
	ASSERT_EQ(0, __vt_pasid_attach(d.fd, 1, hwpt, NULL));
	check_programmed(_metadata, self->e.vf[0], &pgd);
	EXPECT_EQ(-EINVAL, __vt_pasid_attach(d.fd, 2, hwpt, NULL));
	ASSERT_EQ(0, __vt_pasid_detach(d.fd, 1));
	check_cleared(_metadata, self->e.vf[0]);
	ASSERT_EQ(0, __vt_pasid_attach(d.fd, 1, hwpt, NULL));
	close(d.fd);
	check_cleared(_metadata, self->e.vf[0]);
	EXPECT_EQ(0, __vt_destroy(d.iommufd, hwpt));
	close(d.iommufd);
	munmap(buf, 4096);
}

struct sriov_off_job {
	const char *pf;
	int ret;
	volatile int done;
};

static void *sriov_off(void *arg)
{
	struct sriov_off_job *job = arg;

	job->ret = vt_sysfs_write(job->pf, "sriov_numvfs", "0");
	job->done = 1;
	return NULL;
}

/*
 * SR-IOV turned off by the PF's driver while the VF is open with PASID
 * enabled and attached: the removal waits for the user, who is asked
 * (REQ) and closes; then everything is gone.
 */
TEST_F(vf, sriov_off_under_open_vf)
{
	struct sriov_off_job job = { .pf = self->e.pf };
	char path[PATH_MAX];
	struct vt_device d;
	struct stat st;
	pthread_t t;
	uint32_t hwpt;
	uint8_t log2;
	uint16_t v = 7;
	void *buf;
	int i;

	ASSERT_EQ(0, pasid_ready(&d, self->e.vf[0], &buf, &hwpt, &log2));
	ASSERT_EQ(0, vf_cfg16(d.fd, VF_PASID_AT + 6, &v, true));
	ASSERT_EQ(0, __vt_pasid_attach(d.fd, 1, hwpt, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, sriov_off, &job));
	for (i = 0; i < 20 && !job.done; i++)
		usleep(50000);
	/* Still waiting for us. */
	EXPECT_EQ(0, job.done);
	close(d.fd);
	pthread_join(t, NULL);
	EXPECT_EQ(0, job.ret);
	self->e.nvfs = 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", self->e.vf[0]);
	EXPECT_NE(0, stat(path, &st));
	EXPECT_EQ(0, __vt_destroy(d.iommufd, hwpt));
	close(d.iommufd);
	munmap(buf, 4096);
}

/*
 * ids= at load: every bad entry refuses the load; a good one binds the
 * unbound VF.  The VFs exist, so the placement is checked against them.
 */
TEST_F(vf, ids_param)
{
	const char *ko = "drivers/vfio/pci/variants/vf_pasid/vf-pasid-vfio-pci.ko";
	unsigned int vf_last, pf_last, pf_sriov, i;
	uint8_t cfg[4096], pfcfg[4096];
	char bad[10][48], drv[64];

	ASSERT_EQ(0, vt_sysfs_config(self->e.vf[0], 0, cfg, sizeof(cfg), 0));
	ASSERT_EQ(0, vt_sysfs_config(self->e.pf, 0, pfcfg, sizeof(pfcfg), 0));
	ecap_find(cfg, 0xffff, &vf_last);
	pf_sriov = ecap_find(pfcfg, PCI_EXT_CAP_ID_SRIOV, &pf_last);
	ASSERT_NE(0, vf_last);
	ASSERT_NE(0, pf_sriov);
	/* Overlaps: the VF's first and last capabilities, the PF's SR-IOV. */
	snprintf(bad[0], 48, "8086:10ca:0x100");
	snprintf(bad[1], 48, "8086:10ca:0x%x", vf_last);
	snprintf(bad[2], 48, "8086:10ca:0x%x", pf_sriov + 0x10);
	/* No room: the end of config space. */
	snprintf(bad[3], 48, "8086:10ca:0xff0");
	/* Syntax and range. */
	snprintf(bad[4], 48, "8086:10ca:0x202");
	snprintf(bad[5], 48, "8086:10ca:0x80");
	snprintf(bad[6], 48, "8086:10ca");
	snprintf(bad[7], 48, "8086:10ca:0x200:1");
	snprintf(bad[8], 48, "zz:10ca:0x200");
	/* The PF is not a VF. */
	snprintf(bad[9], 48, "8086:10c9:0x200");

	ASSERT_EQ(0, vt_driver_move(self->e.vf[0], NULL));
	ASSERT_EQ(0, vt_shell("rmmod vf_pasid_vfio_pci"));
	for (i = 0; i < 10; i++) {
		EXPECT_NE(0, vt_shell("insmod %s/%s ids=%s 2>/dev/null",
				      vt_repo_dir(), ko, bad[i])) {
			TH_LOG("ids=%s was taken", bad[i]);
			vt_shell("rmmod vf_pasid_vfio_pci");
		}
	}
	/*
	 * The dynamic ID binds the unbound VFs at once, as vfio-pci's ids=
	 * does: where the PF lets its VFs be probed (vf_env_up turned that
	 * off so that only driver_override placed them).
	 */
	ASSERT_EQ(0, vt_sysfs_write(self->e.pf, "sriov_drivers_autoprobe", "1"));
	ASSERT_EQ(0, vt_shell("insmod %s/%s ids=8086:10ca:0x%x", vt_repo_dir(),
			      ko, VF_PASID_AT));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, vt_driver_of(self->e.vf[i], drv, sizeof(drv)));
		EXPECT_STREQ(VF_PASID_DRV, drv);
	}
	for (i = 0; i < 2; i++)
		vt_driver_move(self->e.vf[i], NULL);
	EXPECT_EQ(0, vt_shell("rmmod vf_pasid_vfio_pci"));
	EXPECT_EQ(0, vt_shell("insmod %s/%s", vt_repo_dir(), ko));
}

TEST_HARNESS_MAIN
