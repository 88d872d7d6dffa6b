// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: what our vfio-pci shows through a device fd must equal,
 * byte for byte, what the kernel's own vfio-pci showed for the same function
 * in the same VM.  The reference was recorded by vfio_snapshot before our
 * modules were loaded (tools/testing/vm/guest/check.sh); this test takes the
 * same snapshot through ours and compares four aspects per device:
 *
 *   info     VFIO_DEVICE_GET_INFO: return, flags, num_regions, num_irqs, caps
 *   regions  VFIO_DEVICE_GET_REGION_INFO for indexes 0-11: return, size,
 *            flags, capability ids (the region offset is not compared)
 *   irqs     VFIO_DEVICE_GET_IRQ_INFO for indexes 0-5: return, flags, count
 *   config   every byte of the config region, cfg_size long
 *   config_writes  writes to the registers upstream virtualizes entirely
 *            (BARs, ROM BAR, INTERRUPT_LINE; BAR sizing): the write's
 *            return and the value read back
 *
 * Differences are printed field by field (config: as byte ranges with ours,
 * the reference and the raw hardware value, labelled with the register or
 * capability they fall in).  A difference passes only if allowed_diffs[]
 * below lists it with the product decision behind it.
 *
 * Every unlisted difference FAILs.
 *
 * Environment: VT_REFERENCE_DIR (default: build/check/reference next to
 * this binary's build/selftests), VT_SNAPSHOT_OUT (default:
 * build/check/ours) receives our snapshots for diffing by hand.
 */
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_snapshot.h"

enum diff_aspect {
	ASPECT_INFO, ASPECT_REGIONS, ASPECT_IRQS, ASPECT_CONFIG,
	ASPECT_CONFIG_WRITES, ASPECT_DMABUF,
};

static const char *const aspect_names[] = {
	[ASPECT_INFO] = "info",
	[ASPECT_REGIONS] = "regions",
	[ASPECT_IRQS] = "irqs",
	[ASPECT_CONFIG] = "config",
	[ASPECT_CONFIG_WRITES] = "config_writes",
	[ASPECT_DMABUF] = "dma_buf",
};

/*
 * Differences we accept on purpose.  vendor/device 0 matches any device.
 * For ASPECT_CONFIG and ASPECT_CONFIG_WRITES, [start, end) is a byte range
 * of config space; for the
 * other aspects it is a range of region or irq indexes (info: ignored).
 * Each entry must say why we differ from upstream, as a product decision;
 * "not implemented yet" does not belong here.
 */
#define KV(major, minor)	((major) << 8 | (minor))

/*
 * @before_kernel: 0, or the entry applies only on kernels older than that
 * KV(): the reference is then an older upstream vfio-pci than the one we
 * follow (make check's second boot runs Debian's stock 6.12).
 */
static const struct allowed_diff {
	uint16_t vendor, device;
	enum diff_aspect aspect;
	uint32_t start, end;
	unsigned int before_kernel;
	const char *reason;
} allowed_diffs[] = {
	{ .aspect = ASPECT_IRQS,
	  .start = VFIO_PCI_ERR_IRQ_INDEX, .end = VFIO_PCI_ERR_IRQ_INDEX + 1,
	  .before_kernel = KV(7, 3),
	  .reason = "the ERR irq is reported on every function, as 7.3's vfio-pci does; older ones (6.12) refuse it on conventional PCI" },
	{ .reason = NULL },
};

/* The running kernel as KV(major, minor). */
static unsigned int running_kernel(void)
{
	unsigned int major = 0, minor = 0;
	struct utsname u;

	if (!uname(&u))
		sscanf(u.release, "%u.%u", &major, &minor);
	return KV(major, minor);
}

#define PENDING_REASON "not implemented yet"

/* Nothing the differential test compares is pending any more. */
static bool pending(void)
{
	return false;
}

#define diff_log(fmt, ...) fprintf(stderr, "#   " fmt "\n", ##__VA_ARGS__)

static const char *allowed_reason(uint16_t vendor, uint16_t device,
				  enum diff_aspect aspect, uint32_t start,
				  uint32_t end)
{
	const struct allowed_diff *a;

	for (a = allowed_diffs; a->reason; a++) {
		if (a->aspect != aspect)
			continue;
		if (a->vendor && (a->vendor != vendor || a->device != device))
			continue;
		if (a->before_kernel && running_kernel() >= a->before_kernel)
			continue;
		if (aspect == ASPECT_INFO || (start >= a->start && end <= a->end))
			return a->reason;
	}
	return NULL;
}

/* Where the snapshots live: next to build/selftests/ unless overridden. */
static void check_dir(char *buf, size_t len, const char *env, const char *sub)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (getenv(env)) {
		snprintf(buf, len, "%s", getenv(env));
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		n = 0;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	/* exe is .../build/selftests; the snapshots are .../build/check/sub */
	snprintf(buf, len, "%.3900s/../check/%s", exe, sub);
}

FIXTURE(diff) {
	int n;
	char bdfs[VT_MAX_BDFS][VT_BDF_LEN];
	struct vt_snapshot *ours;
	struct vt_snapshot *ref;
};

FIXTURE_VARIANT(diff) {
	const char *name;
	uint16_t vendor;
	uint16_t device;
};

#define DIFF_VARIANT(_name, _vendor, _device)			\
FIXTURE_VARIANT_ADD(diff, _name) {				\
	.name = #_name, .vendor = _vendor, .device = _device,	\
};
VT_DEVICES(DIFF_VARIANT)
#undef DIFF_VARIANT

FIXTURE_SETUP(diff)
{
	char refdir[PATH_MAX], outdir[PATH_MAX], path[PATH_MAX + 32];
	struct stat st;
	int i, ret;

	self->ours = NULL;
	self->ref = NULL;
	self->n = vt_find_bound(variant->vendor, variant->device, self->bdfs,
				VT_MAX_BDFS);
	if (!self->n)
		SKIP(return, "no %s bound to vfio-pci", variant->name);

	check_dir(refdir, sizeof(refdir), "VT_REFERENCE_DIR", "reference");
	if (stat(refdir, &st))
		SKIP(return, "no reference snapshots in %.900s", refdir);
	check_dir(outdir, sizeof(outdir), "VT_SNAPSHOT_OUT", "ours");
	mkdir(outdir, 0755);

	self->ours = calloc(self->n, sizeof(*self->ours));
	self->ref = calloc(self->n, sizeof(*self->ref));
	ASSERT_NE(NULL, self->ours);
	ASSERT_NE(NULL, self->ref);

	for (i = 0; i < self->n; i++) {
		struct vt_device dev;

		vt_device_open(&dev, self->bdfs[i]);
		vt_snapshot_take(&self->ours[i], self->bdfs[i], dev.fd);
		vt_device_close(&dev);
		snprintf(path, sizeof(path), "%s/%s.snap", outdir,
			 self->bdfs[i]);
		vt_snapshot_save(&self->ours[i], path);

		snprintf(path, sizeof(path), "%s/%s.snap", refdir,
			 self->bdfs[i]);
		ret = vt_snapshot_load(&self->ref[i], path);
		ASSERT_EQ(0, ret) {
			TH_LOG("reference snapshot %s: %s (did the reference step of check.sh run?)",
			       path, strerror(-ret));
		}
	}
}

FIXTURE_TEARDOWN(diff)
{
	free(self->ours);
	free(self->ref);
}

/* Counts of one comparison; "open" = neither equal nor allowed. */
struct diff_count {
	int open;
	int allowed;
	char summary[768];	/* the open differences, for the SKIP line */
};

static void append(char *buf, size_t len, const char *msg)
{
	size_t used = strlen(buf);

	if (used + 3 < len)
		snprintf(buf + used, len - used, "%s%.*s", used ? "; " : "",
			 (int)(len - used - 3), msg);
}

static void note(struct diff_count *c, const char *allowed, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

static void note(struct diff_count *c, const char *allowed, const char *fmt,
		 ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (allowed) {
		c->allowed++;
		diff_log("allowed: %s (%s)", msg, allowed);
		return;
	}
	c->open++;
	append(c->summary, sizeof(c->summary), msg);
	diff_log("DIFF %s", msg);
}

static const char *const region_names[] = {
	"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "CONFIG", "VGA",
};

static const char *region_name(int i)
{
	return i < 9 ? region_names[i] : "dev-specific";
}

static const char *const irq_names[] = { "INTX", "MSI", "MSIX", "ERR", "REQ" };

static const char *irq_name(int i)
{
	return i < 5 ? irq_names[i] : "past-end";
}

static void flag_names(char *buf, size_t len, uint32_t flags,
		       const char *const names[], int nnames)
{
	size_t used = 0;
	int b;

	buf[0] = '\0';
	for (b = 0; b < 32 && used < len; b++) {
		if (!(flags & (1u << b)))
			continue;
		if (b < nnames && names[b])
			used += snprintf(buf + used, len - used, "%s%s",
					 used ? "|" : "", names[b]);
		else
			used += snprintf(buf + used, len - used, "%sbit%d",
					 used ? "|" : "", b);
	}
	if (!used)
		snprintf(buf, len, "0");
}

static const char *const region_flag_names[] = {
	"READ", "WRITE", "MMAP", "CAPS",
};

static const char *const irq_flag_names[] = {
	"EVENTFD", "MASKABLE", "AUTOMASKED", "NORESIZE",
};

static const char *const info_flag_names[] = {
	"RESET", "PCI", "PLATFORM", "AMBA", "CCW", "AP", "FSL_MC", "CAPS",
	"CDX",
};

static void compare_flags(struct diff_count *c, const char *what,
			  uint32_t ours, uint32_t ref, const char *const names[],
			  int nnames, const char *allowed)
{
	char o[96], r[96];

	if (ours == ref)
		return;
	flag_names(o, sizeof(o), ours, names, nnames);
	flag_names(r, sizeof(r), ref, names, nnames);
	note(c, allowed, "%s flags: ours 0x%x (%s), reference 0x%x (%s)", what,
	     ours, o, ref, r);
}

static void compare_caps(struct diff_count *c, const char *what,
			 const struct vt_snap_caps *ours,
			 const struct vt_snap_caps *ref, const char *allowed)
{
	char o[128], r[128];

	vt_snap_caps_str(ours, o, sizeof(o));
	vt_snap_caps_str(ref, r, sizeof(r));
	if (strcmp(o, r))
		note(c, allowed, "%s caps (id.version): ours %s, reference %s",
		     what, o, r);
}

static void compare_info(struct diff_count *c, const struct vt_snapshot *o,
			 const struct vt_snapshot *r, uint16_t vendor,
			 uint16_t device)
{
	const char *allowed = allowed_reason(vendor, device, ASPECT_INFO, 0, 0);

	if (o->info_ret != r->info_ret) {
		note(c, allowed, "GET_INFO returns %d, reference %d",
		     o->info_ret, r->info_ret);
		return;
	}
	compare_flags(c, "device", o->info_flags, r->info_flags,
		      info_flag_names, 9, allowed);
	if (o->num_regions != r->num_regions)
		note(c, allowed, "num_regions: ours %u, reference %u",
		     o->num_regions, r->num_regions);
	if (o->num_irqs != r->num_irqs)
		note(c, allowed, "num_irqs: ours %u, reference %u",
		     o->num_irqs, r->num_irqs);
	compare_caps(c, "device", &o->info_caps, &r->info_caps, allowed);
}

static void compare_regions(struct diff_count *c, const struct vt_snapshot *o,
			    const struct vt_snapshot *r, uint16_t vendor,
			    uint16_t device)
{
	int i;

	for (i = 0; i < VT_SNAP_REGIONS; i++) {
		const struct vt_snap_region *a = &o->region[i];
		const struct vt_snap_region *b = &r->region[i];
		const char *allowed = allowed_reason(vendor, device,
						     ASPECT_REGIONS, i, i + 1);
		char what[32];

		snprintf(what, sizeof(what), "region %d (%s)", i,
			 region_name(i));
		if (a->ret != b->ret) {
			note(c, allowed,
			     "%s GET_REGION_INFO returns %d (%s), reference %d (%s)",
			     what, a->ret, a->ret ? strerror(-a->ret) : "ok",
			     b->ret, b->ret ? strerror(-b->ret) : "ok");
			continue;
		}
		if (a->ret)
			continue;
		if (a->size != b->size)
			note(c, allowed, "%s size: ours 0x%llx, reference 0x%llx",
			     what, (unsigned long long)a->size,
			     (unsigned long long)b->size);
		compare_flags(c, what, a->flags, b->flags, region_flag_names,
			      4, allowed);
		compare_caps(c, what, &a->caps, &b->caps, allowed);
	}
}

static void compare_irqs(struct diff_count *c, const struct vt_snapshot *o,
			 const struct vt_snapshot *r, uint16_t vendor,
			 uint16_t device)
{
	int i;

	for (i = 0; i < VT_SNAP_IRQS; i++) {
		const struct vt_snap_irq *a = &o->irq[i];
		const struct vt_snap_irq *b = &r->irq[i];
		const char *allowed = allowed_reason(vendor, device,
						     ASPECT_IRQS, i, i + 1);
		char what[32];

		snprintf(what, sizeof(what), "irq %d (%s)", i, irq_name(i));
		if (a->ret != b->ret) {
			note(c, allowed,
			     "%s GET_IRQ_INFO returns %d (%s), reference %d (%s)",
			     what, a->ret, a->ret ? strerror(-a->ret) : "ok",
			     b->ret, b->ret ? strerror(-b->ret) : "ok");
			continue;
		}
		if (a->ret)
			continue;
		compare_flags(c, what, a->flags, b->flags, irq_flag_names, 4,
			      allowed);
		if (a->count != b->count)
			note(c, allowed, "%s count: ours %u, reference %u", what,
			     a->count, b->count);
	}
}

/* Names of the type-0 header registers, by offset. */
static const struct {
	uint32_t off, len;
	const char *name;
} header_regs[] = {
	{ 0x00, 2, "VENDOR_ID" }, { 0x02, 2, "DEVICE_ID" },
	{ 0x04, 2, "COMMAND" }, { 0x06, 2, "STATUS" },
	{ 0x08, 1, "REVISION" }, { 0x09, 3, "CLASS" },
	{ 0x0c, 1, "CACHE_LINE" }, { 0x0d, 1, "LATENCY" },
	{ 0x0e, 1, "HEADER_TYPE" }, { 0x0f, 1, "BIST" },
	{ 0x10, 4, "BAR0" }, { 0x14, 4, "BAR1" }, { 0x18, 4, "BAR2" },
	{ 0x1c, 4, "BAR3" }, { 0x20, 4, "BAR4" }, { 0x24, 4, "BAR5" },
	{ 0x28, 4, "CARDBUS_CIS" }, { 0x2c, 2, "SUBSYS_VENDOR" },
	{ 0x2e, 2, "SUBSYS_ID" }, { 0x30, 4, "ROM_BAR" },
	{ 0x34, 1, "CAP_PTR" }, { 0x35, 7, "reserved" },
	{ 0x3c, 1, "INT_LINE" }, { 0x3d, 1, "INT_PIN" },
	{ 0x3e, 1, "MIN_GNT" }, { 0x3f, 1, "MAX_LAT" },
};

/*
 * Label a config offset: a header register, or the capability it falls in
 * (found by walking the raw hardware's lists; the nearest capability that
 * starts at or below the offset).
 */
static void cfg_label(const struct vt_snapshot *s, uint32_t off, char *buf,
		      size_t len)
{
	uint32_t best = 0, best_id = 0, pos, hops;
	bool ext = false;
	unsigned int i;

	if (off < 0x40) {
		for (i = 0; i < sizeof(header_regs) / sizeof(header_regs[0]); i++)
			if (off >= header_regs[i].off &&
			    off < header_regs[i].off + header_regs[i].len) {
				snprintf(buf, len, "%s+%u", header_regs[i].name,
					 off - header_regs[i].off);
				return;
			}
	}
	if (s->hw_size >= 0x40 && (s->hw[0x06] & 0x10)) {
		pos = s->hw[0x34] & ~3u;
		for (hops = 0; pos >= 0x40 && pos < 0x100 && hops < 48; hops++) {
			if (pos <= off && pos >= best) {
				best = pos;
				best_id = s->hw[pos];
			}
			pos = s->hw[pos + 1] & ~3u;
		}
	}
	if (off >= 0x100 && s->hw_size > 0x100) {
		pos = 0x100;
		for (hops = 0; pos >= 0x100 && pos + 4 <= s->hw_size &&
		     hops < 1024; hops++) {
			uint32_t hdr = s->hw[pos] | s->hw[pos + 1] << 8 |
				       s->hw[pos + 2] << 16 |
				       (uint32_t)s->hw[pos + 3] << 24;

			if (!hdr)
				break;
			if (pos <= off && pos >= best) {
				best = pos;
				best_id = hdr & 0xffff;
				ext = true;
			}
			pos = (hdr >> 20) & ~3u;
		}
	}
	if (best)
		snprintf(buf, len, "%scap 0x%02x@0x%03x+0x%x",
			 ext ? "ext" : "", best_id, best, off - best);
	else
		snprintf(buf, len, "no capability");
}

static void hexrange(char *buf, size_t len, const uint8_t *b,
		     const uint8_t *ok, uint32_t size, uint32_t start,
		     uint32_t end)
{
	size_t used = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = start; i < end && used + 3 < len; i++) {
		if (i >= size)
			used += snprintf(buf + used, len - used, "..");
		else if (!ok[i])
			used += snprintf(buf + used, len - used, "--");
		else
			used += snprintf(buf + used, len - used, "%02x", b[i]);
	}
}

static bool cfg_byte_differs(const struct vt_snapshot *o,
			     const struct vt_snapshot *r, uint32_t i)
{
	bool in_o = i < o->cfg_size, in_r = i < r->cfg_size;

	if (in_o != in_r)
		return true;
	if (o->cfg_ok[i] != r->cfg_ok[i])
		return true;
	return o->cfg_ok[i] && o->cfg[i] != r->cfg[i];
}

static void compare_config(struct diff_count *c, const struct vt_snapshot *o,
			   const struct vt_snapshot *r, uint16_t vendor,
			   uint16_t device)
{
	uint32_t size = o->cfg_size > r->cfg_size ? o->cfg_size : r->cfg_size;
	uint32_t i = 0, start;

	if (o->cfg_size != r->cfg_size)
		note(c, NULL, "config size: ours %u, reference %u", o->cfg_size,
		     r->cfg_size);
	while (i < size) {
		char label[48], ob[40], rb[40], hb[40];
		const char *allowed;

		if (!cfg_byte_differs(o, r, i)) {
			i++;
			continue;
		}
		/* A range: differing bytes with gaps of < 4 equal bytes. */
		start = i;
		while (i < size) {
			uint32_t j = i + 1;

			while (j < size && j < i + 4 && !cfg_byte_differs(o, r, j))
				j++;
			if (j >= size || j >= i + 4)
				break;
			i = j;
		}
		i++;
		/* Print at most 16 bytes per line; split longer ranges. */
		while (start < i) {
			uint32_t end = start + 16 < i ? start + 16 : i;

			cfg_label(r, start, label, sizeof(label));
			hexrange(ob, sizeof(ob), o->cfg, o->cfg_ok, o->cfg_size,
				 start, end);
			hexrange(rb, sizeof(rb), r->cfg, r->cfg_ok, r->cfg_size,
				 start, end);
			hexrange(hb, sizeof(hb), r->hw, r->hw_ok, r->hw_size,
				 start, end);
			allowed = allowed_reason(vendor, device, ASPECT_CONFIG,
						 start, end);
			note(c, allowed,
			     "config 0x%03x-0x%03x [%s]: ours %s reference %s hw %s",
			     start, end - 1, label, ob, rb, hb);
			start = end;
		}
	}
}

static void compare_config_writes(struct diff_count *c,
				  const struct vt_snapshot *o,
				  const struct vt_snapshot *r, uint16_t vendor,
				  uint16_t device)
{
	int i;

	if (o->nprobes != r->nprobes)
		note(c, NULL, "%d config write probes, reference %d",
		     o->nprobes, r->nprobes);
	for (i = 0; i < o->nprobes && i < r->nprobes; i++) {
		const struct vt_snap_probe *a = &o->probe[i], *b = &r->probe[i];
		const char *allowed;
		char label[48];

		if (a->write_ret == b->write_ret &&
		    a->read_ret == b->read_ret && a->readback == b->readback)
			continue;
		cfg_label(r, a->off, label, sizeof(label));
		allowed = allowed_reason(vendor, device, ASPECT_CONFIG_WRITES,
					 a->off, a->off + a->width);
		note(c, allowed,
		     "config 0x%02x [%s] after writing 0x%x: ours write %d, read back 0x%0*x; reference write %d, read back 0x%0*x",
		     a->off, label, a->wrote, a->write_ret, a->width * 2,
		     a->readback, b->write_ret, b->width * 2, b->readback);
	}
}

/* VFIO_DEVICE_FEATURE_DMA_BUF: the same answer to every fixed request. */
static void compare_dmabuf(struct diff_count *c, const struct vt_snapshot *o,
			   const struct vt_snapshot *r, uint16_t vendor,
			   uint16_t device)
{
	int i;

	if (o->ndmabuf != r->ndmabuf)
		note(c, NULL, "%d DMA_BUF requests, reference %d", o->ndmabuf,
		     r->ndmabuf);
	for (i = 0; i < o->ndmabuf && i < r->ndmabuf; i++) {
		if (o->dmabuf[i] == r->dmabuf[i])
			continue;
		note(c, allowed_reason(vendor, device, ASPECT_DMABUF, i, i + 1),
		     "DMA_BUF %s: ours %d, reference %d",
		     vt_dma_buf_case_name(i), o->dmabuf[i], r->dmabuf[i]);
	}
}

typedef void (*compare_fn)(struct diff_count *c, const struct vt_snapshot *o,
			   const struct vt_snapshot *r, uint16_t vendor,
			   uint16_t device);

static void run_compare(struct __test_metadata *_metadata,
			FIXTURE_DATA(diff) *self,
			const FIXTURE_VARIANT(diff) *variant,
			enum diff_aspect aspect, compare_fn fn)
{
	struct diff_count total = {};
	int i;

	for (i = 0; i < self->n; i++) {
		struct diff_count c = {};

		diff_log("%s %s: ours vs the kernel's vfio-pci", self->bdfs[i],
			 aspect_names[aspect]);
		fn(&c, &self->ours[i], &self->ref[i], variant->vendor,
		   variant->device);
		diff_log("%s %s: %d open difference(s), %d allowed",
			 self->bdfs[i], aspect_names[aspect], c.open, c.allowed);
		if (c.open) {
			char msg[sizeof(c.summary) + 32];

			snprintf(msg, sizeof(msg), "%s: %s", self->bdfs[i],
				 c.summary);
			append(total.summary, sizeof(total.summary), msg);
		}
		total.open += c.open;
		total.allowed += c.allowed;
	}
	if (!total.open)
		return;
	if (pending() &&
	    (aspect == ASPECT_CONFIG || aspect == ASPECT_CONFIG_WRITES))
		SKIP(return, "%s: %d differing range(s), listed above",
		     PENDING_REASON, total.open);
	if (pending())
		SKIP(return, "pending, %d difference(s): %s",
		     total.open, total.summary);
	ASSERT_EQ(0, total.open) {
		TH_LOG("%d %s difference(s) from the kernel's vfio-pci: %s",
		       total.open, aspect_names[aspect], total.summary);
	}
}

TEST_F(diff, info)
{
	run_compare(_metadata, self, variant, ASPECT_INFO, compare_info);
}

TEST_F(diff, regions)
{
	run_compare(_metadata, self, variant, ASPECT_REGIONS, compare_regions);
}

TEST_F(diff, irqs)
{
	run_compare(_metadata, self, variant, ASPECT_IRQS, compare_irqs);
}

TEST_F(diff, config)
{
	run_compare(_metadata, self, variant, ASPECT_CONFIG, compare_config);
}

TEST_F(diff, config_writes)
{
	run_compare(_metadata, self, variant, ASPECT_CONFIG_WRITES,
		    compare_config_writes);
}

TEST_F(diff, dma_buf)
{
	run_compare(_metadata, self, variant, ASPECT_DMABUF, compare_dmabuf);
}

TEST_HARNESS_MAIN
