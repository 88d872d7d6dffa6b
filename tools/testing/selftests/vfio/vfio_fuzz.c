// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_fuzz: a seeded, structure-aware fuzzer of the vfio device uAPI.
 *
 *   vfio_fuzz [-s SEED] [-n CALLS] [-t SECONDS] [-p PROCS] [-j THREADS]
 *             [-R] [-v] BDF...
 *
 * -R keeps each process's first session open to the end (no close and
 * reopen), for tests that need the device held.
 *
 * For each BDF, PROCS processes of JTHREADS threads each run random but
 * mostly well-formed calls against the device: every device ioctl and
 * feature (migration arcs and data fds, DMA logging, low power, VF token),
 * SET_IRQS of every index/action/data type with eventfds closed under it,
 * pread/pwrite at random offsets and sizes on every region, mmap, munmap
 * and touches of BARs while decode toggles and resets run, ioeventfds,
 * iommufd attach/detach/replace, the group path, close and reopen.
 *
 * Reproducible: thread T of process P on device D draws from a PRNG seeded
 * with (SEED, D, P, T), so with -n the same seed replays the same calls per
 * thread (their interleaving is the scheduler's).  The seed is printed first.
 *
 * Emulated devices crash QEMU on some register writes (an edu DMA outside
 * its buffer overruns QEMU's heap): raw BAR writes, through pwrite, mmap or
 * ioeventfds, only go to the ranges the device table below allows.  Config
 * space is fuzzed in full: that is the core's to protect.
 *
 * Output: TAP-ish lines; "# fuzz: BDF calls=N paths=N" per device, and
 * exit 0 unless a call did what no call may do (a crash of a worker).
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "lib/vfio_test.h"

/* ------------------------------------------------------------------ */
/* What each device tolerates                                          */
/* ------------------------------------------------------------------ */

/* A BAR range (bytes [off, off + len)) that raw writes may reach. */
struct fz_range {
	int bar;		/* region index; VFIO_PCI_VGA_REGION_INDEX too */
	uint64_t off;
	uint64_t len;
};

#define FZ_MAX_RANGES	4

struct fz_devtype {
	const char *name;
	uint16_t vendor, device;
	struct fz_range writable[FZ_MAX_RANGES];
};

/*
 * Writes anywhere else are never issued.  edu: liveness, factorial, status
 * and the raise/ack pair, never the DMA registers.  NICs and nvme: none
 * (descriptor rings and doorbells would start DMA at random addresses).
 */
static const struct fz_devtype fz_devtypes[] = {
	{ "edu", 0x1234, 0x11e8, {
		{ 0, 0x04, 8 }, { 0, 0x20, 4 }, { 0, 0x60, 8 } } },
	{ "pci-testdev", 0x1b36, 0x0005, { { 2, 0, 64 << 20 } } },
	{ "ivshmem", 0x1af4, 0x1110, { { 0, 0, 8 }, { 2, 0, 16 << 20 } } },
	{ "vga", 0x1234, 0x1111, {
		{ 0, 0, 16 << 20 },
		{ VFIO_PCI_VGA_REGION_INDEX, 0xa0000, 0x20000 } } },
	{ "igb", 0x8086, 0x10c9, { } },
	{ "igbvf", 0x8086, 0x10ca, { } },
	{ "e1000e", 0x8086, 0x10d3, { } },
	{ "nvme", 0x1b36, 0x0010, { } },
};

static const struct fz_devtype fz_unknown = { "unknown", 0, 0, { } };

/* ------------------------------------------------------------------ */
/* Random numbers (splitmix64 seeding, xorshift64* stream)             */
/* ------------------------------------------------------------------ */

struct fz_rng {
	uint64_t s;
};

static uint64_t fz_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t fz_next(struct fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return n ? fz_next(r) % n : 0;
}

static bool fz_chance(struct fz_rng *r, unsigned int percent)
{
	return fz_below(r, 100) < percent;
}

/* A size: mostly 1, 2, 4, 8, sometimes anything up to @max. */
static size_t fz_size(struct fz_rng *r, size_t max)
{
	static const size_t common[] = { 1, 2, 4, 8, 4, 4 };

	if (fz_chance(r, 80))
		return common[fz_below(r, 6)];
	return 1 + fz_below(r, max);
}

/* An offset in [0, size): edges, aligned, or anything; sometimes past it. */
static uint64_t fz_offset(struct fz_rng *r, uint64_t size)
{
	switch (fz_below(r, 8)) {
	case 0:
		return size ? size - 1 - fz_below(r, 8 < size ? 8 : size) : 0;
	case 1:
		return size + fz_below(r, 16);
	case 2:
		return fz_next(r);
	case 3:
		return fz_below(r, 64);
	default:
		return fz_below(r, size ? size : 1) & ~(uint64_t)fz_below(r, 8);
	}
}

static uint64_t fz_value(struct fz_rng *r)
{
	switch (fz_below(r, 5)) {
	case 0:
		return 0;
	case 1:
		return ~0ULL;
	case 2:
		return 1ULL << fz_below(r, 64);
	default:
		return fz_next(r);
	}
}

/* ------------------------------------------------------------------ */
/* Coverage: distinct (call, result) pairs, shared by all processes    */
/* ------------------------------------------------------------------ */

#define FZ_MAX_ERRNO	160
#define FZ_RESULTS	(FZ_MAX_ERRNO + 2)	/* errno, 0, positive */

enum fz_op {
#define FZ_OPS(X)							\
	X(get_info) X(region_info) X(irq_info) X(set_irqs)		\
	X(region_read) X(region_write) X(config_write)			\
	X(mmap) X(munmap) X(touch) X(decode_toggle)			\
	X(reset) X(hot_reset_info) X(hot_reset)			\
	X(feature_raw) X(mig_state) X(mig_data_read) X(mig_data_write)	\
	X(mig_precopy) X(mig_close) X(dma_log_start) X(dma_log_stop)	\
	X(dma_log_report) X(low_power) X(vf_token) X(mig_size)		\
	X(ioeventfd) X(eventfd_new) X(eventfd_close) X(eventfd_signal)	\
	X(ioas_map) X(attach) X(detach) X(random_ioctl) X(reopen)
#define FZ_ENUM(n) FZ_OP_##n,
	FZ_OPS(FZ_ENUM)
#undef FZ_ENUM
	FZ_NR_OPS
};

static const char *const fz_op_names[] = {
#define FZ_NAME(n) #n,
	FZ_OPS(FZ_NAME)
#undef FZ_NAME
};

struct fz_shared {
	atomic_ulong calls;
	atomic_uchar seen[FZ_NR_OPS][FZ_RESULTS];
};

static void fz_record(struct fz_shared *sh, enum fz_op op, long ret)
{
	unsigned int slot;

	if (ret > 0)
		slot = FZ_RESULTS - 1;
	else if (ret == 0)
		slot = 0;
	else
		slot = -ret < FZ_MAX_ERRNO ? -ret : FZ_MAX_ERRNO;
	atomic_fetch_add_explicit(&sh->calls, 1, memory_order_relaxed);
	atomic_store_explicit(&sh->seen[op][slot], 1, memory_order_relaxed);
}

static unsigned int fz_paths(struct fz_shared *sh)
{
	unsigned int op, s, n = 0;

	for (op = 0; op < FZ_NR_OPS; op++)
		for (s = 0; s < FZ_RESULTS; s++)
			n += atomic_load(&sh->seen[op][s]);
	return n;
}

/* ------------------------------------------------------------------ */
/* Per-process device session, per-thread state                        */
/* ------------------------------------------------------------------ */

#define FZ_EVENTFDS	8
#define FZ_MAPS		8
#define FZ_MIGBUF	(64 << 10)

struct fz_proc {
	const char *bdf;
	const struct fz_devtype *type;
	struct fz_shared *sh;
	uint64_t seed;
	int dev_index, proc_index;
	unsigned long calls;		/* per thread, 0: until the deadline */
	time_t deadline;
	bool verbose;
	bool keep;			/* -R: never close the session */

	/* Session: changes only with @lock held for write. */
	pthread_rwlock_t lock;
	int devfd, iommufd, container, group;
	uint32_t ioas[2];
	bool group_path;
	struct vfio_region_info regions[VFIO_PCI_NUM_REGIONS];

	/*
	 * Shared by the threads.  A number is closed, and written to, only
	 * under @fd_lock: a write must never reach a file that took over the
	 * number of a closed one (the device fd's write() is a BAR write).
	 */
	pthread_mutex_t fd_lock;
	atomic_int efd[FZ_EVENTFDS];
	atomic_int migfd;
	pthread_mutex_t mig_lock;	/* guards migbuf */
	uint8_t migbuf[FZ_MIGBUF];
	size_t miglen;
	void *iobuf;			/* mapped into the IOASes */
};

struct fz_map {
	void *addr;
	size_t len;
	int bar;
	uint64_t off;
};

struct fz_thread {
	struct fz_proc *p;
	struct fz_rng rng;
	int index;
	struct fz_map maps[FZ_MAPS];
};

static __thread sigjmp_buf fz_jmp;
static __thread volatile sig_atomic_t fz_in_touch;

static void fz_sigbus(int sig)
{
	if (fz_in_touch)
		siglongjmp(fz_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static long fz_ret(long ret)
{
	return ret < 0 ? -errno : ret;
}

static int fz_pick_efd(struct fz_thread *t)
{
	if (fz_chance(&t->rng, 10))
		return fz_chance(&t->rng, 50) ? -1 : (int)fz_next(&t->rng);
	return atomic_load(&t->p->efd[fz_below(&t->rng, FZ_EVENTFDS)]);
}

/* Is [off, off + len) of region @bar inside a range raw writes may reach? */
static bool fz_writable(const struct fz_devtype *type, int bar, uint64_t off,
			uint64_t len)
{
	int i;

	for (i = 0; i < FZ_MAX_RANGES; i++) {
		const struct fz_range *w = &type->writable[i];

		if (w->len && w->bar == bar && off >= w->off &&
		    off + len <= w->off + w->len && off + len > off)
			return true;
	}
	return false;
}

/*
 * Region offsets as GET_REGION_INFO reports them are index << 40 here; an
 * offset within a region is kept below that so that a raw write always
 * lands in the region whose allowlist was checked.
 */
#define FZ_OFF_MASK	((1ULL << 40) - 1)

static uint64_t fz_region_off(struct fz_proc *p, int index)
{
	return p->regions[index].offset;
}

/* ------------------------------------------------------------------ */
/* Opening and closing the device                                      */
/* ------------------------------------------------------------------ */

static void fz_load_regions(struct fz_proc *p)
{
	int i;

	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		memset(&p->regions[i], 0, sizeof(p->regions[i]));
		if (__vt_region_info(p->devfd, i, &p->regions[i]))
			p->regions[i].size = 0;
	}
}

static void fz_close_session(struct fz_proc *p)
{
	if (p->devfd >= 0)
		close(p->devfd);
	if (p->group >= 0)
		close(p->group);
	if (p->container >= 0)
		close(p->container);
	if (p->iommufd >= 0)
		close(p->iommufd);
	p->devfd = p->group = p->container = p->iommufd = -1;
}

static void fz_map_iobuf(struct fz_proc *p, int iommufd, uint32_t ioas)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)p->iobuf,
		.length = 1 << 20,
		.iova = 1 << 20,
	};

	ioctl(iommufd, IOMMU_IOAS_MAP, &map);
}

/* The cdev with a fresh iommufd, or the group path; -errno on failure. */
static int fz_open_session(struct fz_proc *p, struct fz_rng *r)
{
	int ret;

	p->group_path = fz_chance(r, 25);
	if (p->group_path) {
		ret = __vt_group_device_open(p->bdf, fz_chance(r, 50),
					     &p->container, &p->group);
		if (ret < 0)
			return ret;
		p->devfd = ret;
		fz_load_regions(p);
		return 0;
	}

	ret = __vt_cdev_open(p->bdf);
	if (ret < 0)
		return ret;
	p->devfd = ret;
	p->iommufd = open("/dev/iommu", O_RDWR);
	if (p->iommufd < 0)
		goto fail;
	ret = __vt_bind(p->devfd, p->iommufd, NULL);
	if (ret)
		goto fail;
	if (__vt_ioas_alloc(p->iommufd, &p->ioas[0]) ||
	    __vt_ioas_alloc(p->iommufd, &p->ioas[1]))
		goto fail;
	fz_map_iobuf(p, p->iommufd, p->ioas[0]);
	fz_map_iobuf(p, p->iommufd, p->ioas[1]);
	ret = __vt_attach(p->devfd, p->ioas[0], NULL);
	if (ret)
		goto fail;
	fz_load_regions(p);
	return 0;
fail:
	ret = ret < 0 ? ret : -errno;
	fz_close_session(p);
	return ret ? ret : -EIO;
}

/* ------------------------------------------------------------------ */
/* The calls                                                           */
/* ------------------------------------------------------------------ */

static long fz_get_info(struct fz_thread *t)
{
	struct {
		struct vfio_device_info info;
		uint8_t caps[256];
	} buf = { };

	buf.info.argsz = fz_chance(&t->rng, 70) ? sizeof(buf) :
			 fz_below(&t->rng, sizeof(buf) + 8);
	return fz_ret(ioctl(t->p->devfd, VFIO_DEVICE_GET_INFO, &buf));
}

static long fz_region_info(struct fz_thread *t)
{
	struct {
		struct vfio_region_info info;
		uint8_t caps[512];
	} buf = { };

	buf.info.argsz = fz_chance(&t->rng, 60) ? sizeof(buf) :
			 fz_below(&t->rng, sizeof(buf) + 8);
	buf.info.index = fz_chance(&t->rng, 90) ? fz_below(&t->rng, 12) :
			 (uint32_t)fz_next(&t->rng);
	return fz_ret(ioctl(t->p->devfd, VFIO_DEVICE_GET_REGION_INFO, &buf));
}

static long fz_irq_info(struct fz_thread *t)
{
	struct vfio_irq_info info = { };

	info.argsz = fz_chance(&t->rng, 80) ? sizeof(info) :
		     fz_below(&t->rng, sizeof(info) + 8);
	info.index = fz_below(&t->rng, fz_chance(&t->rng, 90) ? 6 : 1000);
	return fz_ret(ioctl(t->p->devfd, VFIO_DEVICE_GET_IRQ_INFO, &info));
}

static long fz_set_irqs(struct fz_thread *t)
{
	static const uint32_t actions[] = {
		VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK,
		VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_TRIGGER,
	};
	static const uint32_t datas[] = {
		VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_BOOL,
		VFIO_IRQ_SET_DATA_EVENTFD, VFIO_IRQ_SET_DATA_EVENTFD,
	};
	struct fz_rng *r = &t->rng;
	struct {
		struct vfio_irq_set set;
		int32_t data[64];
	} buf = { };
	uint32_t n, i, elem;

	buf.set.index = fz_below(r, fz_chance(r, 95) ? 5 : 64);
	buf.set.flags = actions[fz_below(r, 4)] | datas[fz_below(r, 4)];
	if (fz_chance(r, 5))
		buf.set.flags = (uint32_t)fz_next(r);
	buf.set.start = fz_chance(r, 80) ? fz_below(r, 4) : fz_below(r, 80);
	n = fz_chance(r, 10) ? (uint32_t)fz_next(r) : fz_below(r, 9);
	buf.set.count = n;
	elem = buf.set.flags & VFIO_IRQ_SET_DATA_BOOL ? 1 :
	       buf.set.flags & VFIO_IRQ_SET_DATA_EVENTFD ? 4 : 0;
	for (i = 0; i < 64; i++)
		buf.data[i] = elem == 1 ? (int32_t)fz_below(r, 2) * 0x01010101 :
			      fz_pick_efd(t);
	buf.set.argsz = sizeof(buf.set) + (n < 64 ? n * elem : 64 * elem);
	if (fz_chance(r, 5))
		buf.set.argsz = fz_below(r, sizeof(buf));
	return fz_ret(ioctl(t->p->devfd, VFIO_DEVICE_SET_IRQS, &buf));
}

/* A region index, mostly one that exists. */
static int fz_region(struct fz_thread *t)
{
	int i;

	for (i = 0; i < 4; i++) {
		int index = fz_below(&t->rng, VFIO_PCI_NUM_REGIONS);

		if (t->p->regions[index].size)
			return index;
	}
	return fz_below(&t->rng, VFIO_PCI_NUM_REGIONS + 2);
}

static long fz_region_rw(struct fz_thread *t, bool write)
{
	struct fz_proc *p = t->p;
	struct fz_rng *r = &t->rng;
	int index = fz_region(t);
	uint64_t size = index < VFIO_PCI_NUM_REGIONS ?
			p->regions[index].size : 0;
	uint64_t off = fz_offset(r, size);
	size_t len = fz_size(r, 4096);
	uint8_t buf[4096 + 8];
	uint64_t base;
	size_t i;

	if (index >= VFIO_PCI_NUM_REGIONS)
		base = (uint64_t)index << 40;
	else
		base = fz_region_off(p, index);
	/* Never past the region's own index into the next one's. */
	off &= FZ_OFF_MASK;

	if (!write)
		return fz_ret(pread(p->devfd, buf, len, base + off));

	/* Raw writes only where the device tolerates them. */
	if (index != VFIO_PCI_CONFIG_REGION_INDEX && size &&
	    !fz_writable(p->type, index, off, len))
		return -EPERM;
	for (i = 0; i < len; i += 8) {
		uint64_t v = fz_value(r);

		memcpy(buf + i, &v, 8);
	}
	return fz_ret(pwrite(p->devfd, buf, len, base + off));
}

static long fz_region_read(struct fz_thread *t)
{
	return fz_region_rw(t, false);
}

static long fz_region_write(struct fz_thread *t)
{
	return fz_region_rw(t, true);
}

static long fz_cfg_put(struct fz_proc *p, uint64_t off, uint32_t v,
		       size_t len)
{
	return fz_ret(pwrite(p->devfd, &v, len,
			     fz_region_off(p, VFIO_PCI_CONFIG_REGION_INDEX) +
			     off));
}

static long fz_cfg_get(struct fz_proc *p, uint64_t off, uint32_t *v,
		       size_t len)
{
	*v = 0;
	return fz_ret(pread(p->devfd, v, len,
			    fz_region_off(p, VFIO_PCI_CONFIG_REGION_INDEX) +
			    off));
}

/* Config writes aimed at registers that do things. */
static long fz_config_write(struct fz_thread *t)
{
	static const uint16_t hot[] = {
		PCI_COMMAND, PCI_STATUS, PCI_BASE_ADDRESS_0,
		PCI_BASE_ADDRESS_2, PCI_ROM_ADDRESS, PCI_INTERRUPT_LINE,
		PCI_CAPABILITY_LIST, 0x40, 0x44, 0x48, 0x50, 0x60, 0x70,
		0x80, 0x90, 0xa0, 0xc8, 0xd0, 0xe0, 0x100, 0x104, 0x108,
		0x140, 0x160, 0x180, 0x200,
	};
	struct fz_rng *r = &t->rng;
	size_t len = fz_size(r, 8);
	uint64_t off;

	if (fz_chance(r, 60))
		off = hot[fz_below(r, sizeof(hot) / sizeof(hot[0]))] +
		      fz_below(r, 16);
	else
		off = fz_offset(r, 4096);
	if (len > 8)
		len = 8;
	return fz_cfg_put(t->p, off, fz_value(r), len);
}

/* Memory (and I/O) decode off or on, as a guest driver would. */
static long fz_decode_toggle(struct fz_thread *t)
{
	uint32_t cmd;
	long ret;

	ret = fz_cfg_get(t->p, PCI_COMMAND, &cmd, 2);
	if (ret < 0)
		return ret;
	if (fz_chance(&t->rng, 50))
		cmd &= ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	else
		cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
	if (fz_chance(&t->rng, 30))
		cmd ^= PCI_COMMAND_MASTER;
	return fz_cfg_put(t->p, PCI_COMMAND, cmd, 2);
}

static long fz_mmap(struct fz_thread *t)
{
	struct fz_proc *p = t->p;
	struct fz_rng *r = &t->rng;
	int bar = fz_below(r, VFIO_PCI_ROM_REGION_INDEX + 1);
	struct vfio_region_info *info = &p->regions[bar];
	struct fz_map *m = &t->maps[fz_below(r, FZ_MAPS)];
	uint64_t pages = info->size / 4096, off;
	size_t len;
	void *addr;

	if (m->addr)
		munmap(m->addr, m->len);
	m->addr = NULL;
	off = fz_chance(r, 90) ? fz_below(r, pages ? pages : 1) * 4096 :
	      fz_offset(r, info->size) & FZ_OFF_MASK;
	len = 4096 * (1 + fz_below(r, 4));
	if (fz_chance(r, 5))
		len = fz_size(r, 1 << 20);
	addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    fz_chance(r, 95) ? MAP_SHARED : MAP_PRIVATE, p->devfd,
		    info->offset + off);
	if (addr == MAP_FAILED)
		return -errno;
	*m = (struct fz_map){ addr, len, bar, off };
	return 0;
}

static long fz_munmap(struct fz_thread *t)
{
	struct fz_map *m = &t->maps[fz_below(&t->rng, FZ_MAPS)];

	if (!m->addr)
		return -ENOENT;
	munmap(m->addr, m->len);
	m->addr = NULL;
	return 0;
}

/* One load or store; a SIGBUS (decode off, low power) gives -EFAULT. */
static long fz_access(void *addr, bool store, uint32_t val)
{
	volatile uint32_t *ptr = addr;

	if (sigsetjmp(fz_jmp, 1)) {
		fz_in_touch = 0;
		return -EFAULT;
	}
	fz_in_touch = 1;
	if (store)
		*ptr = val;
	else
		(void)*ptr;
	fz_in_touch = 0;
	return store;
}

/* Load or store through a mapping; SIGBUS (revoked decode) is a result. */
static long fz_touch(struct fz_thread *t)
{
	struct fz_map *m = &t->maps[fz_below(&t->rng, FZ_MAPS)];
	uint64_t at;

	if (!m->addr)
		return -ENOENT;
	at = fz_below(&t->rng, m->len / 4) * 4;
	if (fz_chance(&t->rng, 40) &&
	    fz_writable(t->p->type, m->bar, m->off + at, 4))
		return fz_access((char *)m->addr + at, true,
				 (uint32_t)fz_value(&t->rng));
	return fz_access((char *)m->addr + at, false, 0);
}

static long fz_reset(struct fz_thread *t)
{
	return fz_ret(ioctl(t->p->devfd, VFIO_DEVICE_RESET));
}

static long fz_hot_reset_info(struct fz_thread *t)
{
	struct {
		struct vfio_pci_hot_reset_info info;
		struct vfio_pci_dependent_device devs[16];
	} buf = { };

	buf.info.argsz = fz_chance(&t->rng, 60) ? sizeof(buf) :
			 fz_below(&t->rng, sizeof(buf));
	return fz_ret(ioctl(t->p->devfd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
			    &buf));
}

static long fz_hot_reset(struct fz_thread *t)
{
	struct fz_rng *r = &t->rng;
	struct {
		struct vfio_pci_hot_reset reset;
		int32_t fds[4];
	} buf = { };
	int i;

	/* count 0: the iommufd form; else group fds, good or bad. */
	buf.reset.count = fz_chance(r, 60) ? 0 : fz_below(r, 5);
	for (i = 0; i < 4; i++)
		buf.fds[i] = fz_chance(r, 70) && t->p->group >= 0 ?
			     t->p->group : fz_pick_efd(t);
	buf.reset.argsz = sizeof(buf.reset) + 4 * buf.reset.count;
	if (fz_chance(r, 5))
		buf.reset.argsz = fz_below(r, sizeof(buf));
	if (fz_chance(r, 5))
		buf.reset.flags = fz_next(r);
	return fz_ret(ioctl(t->p->devfd, VFIO_DEVICE_PCI_HOT_RESET, &buf));
}

/* VFIO_DEVICE_FEATURE with a payload of @len bytes from @payload. */
static long fz_feature(struct fz_proc *p, uint32_t flags, const void *payload,
		       size_t len, void *out)
{
	struct {
		struct vfio_device_feature f;
		uint8_t data[256];
	} buf = { };
	long ret;

	if (len > sizeof(buf.data))
		len = sizeof(buf.data);
	buf.f.argsz = sizeof(buf.f) + len;
	buf.f.flags = flags;
	if (payload)
		memcpy(buf.data, payload, len);
	ret = fz_ret(ioctl(p->devfd, VFIO_DEVICE_FEATURE, &buf));
	if (out)
		memcpy(out, buf.data, len);
	return ret;
}

static long fz_feature_raw(struct fz_thread *t)
{
	struct fz_rng *r = &t->rng;
	uint8_t data[256];
	uint32_t flags;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = fz_next(r);
	flags = fz_below(r, 16) | ((uint32_t)fz_below(r, 8) << 16);
	if (fz_chance(r, 5))
		flags = fz_next(r);
	return fz_feature(t->p, flags, data, fz_below(r, 64), NULL);
}

/* Keep a migration data fd in the shared slot, dropping the old one. */
static void fz_set_migfd(struct fz_proc *p, int fd)
{
	int old;

	pthread_mutex_lock(&p->fd_lock);
	old = atomic_exchange(&p->migfd, fd);
	if (old >= 0)
		close(old);
	pthread_mutex_unlock(&p->fd_lock);
}

static long fz_mig_state(struct fz_thread *t)
{
	struct fz_rng *r = &t->rng;
	struct vfio_device_feature_mig_state st = { };
	long ret;

	if (fz_chance(r, 30))
		return fz_feature(t->p, VFIO_DEVICE_FEATURE_GET |
				  VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &st,
				  sizeof(st), NULL);
	st.device_state = fz_chance(r, 95) ? fz_below(r, 9) : fz_next(r);
	ret = fz_feature(t->p, VFIO_DEVICE_FEATURE_SET |
			 VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &st,
			 sizeof(st), &st);
	if (ret == 0 && st.data_fd > 0)
		fz_set_migfd(t->p, st.data_fd);
	return ret;
}

static long fz_mig_data_read(struct fz_thread *t)
{
	struct fz_proc *p = t->p;
	size_t len = fz_chance(&t->rng, 50) ? 4096 :
		     1 + fz_below(&t->rng, FZ_MIGBUF);
	uint8_t *buf = malloc(len);
	ssize_t n;
	int fd;

	pthread_mutex_lock(&p->fd_lock);
	fd = atomic_load(&p->migfd);
	n = fd < 0 ? -1 : read(fd, buf, len);
	if (fd < 0)
		errno = EBADF;
	pthread_mutex_unlock(&p->fd_lock);
	if (n > 0) {
		/* Keep the start of a real stream for the writers. */
		pthread_mutex_lock(&p->mig_lock);
		if (p->miglen + n <= FZ_MIGBUF) {
			memcpy(p->migbuf + p->miglen, buf, n);
			p->miglen += n;
		}
		pthread_mutex_unlock(&p->mig_lock);
	}
	free(buf);
	return n < 0 ? -errno : n;
}

/* Write a stream: the recorded one, cut, flipped or random. */
static long fz_mig_data_write(struct fz_thread *t)
{
	struct fz_proc *p = t->p;
	struct fz_rng *r = &t->rng;
	uint8_t buf[4096];
	size_t len, i;
	ssize_t n;
	int fd;

	pthread_mutex_lock(&p->mig_lock);
	len = p->miglen < sizeof(buf) ? p->miglen : sizeof(buf);
	memcpy(buf, p->migbuf, len);
	pthread_mutex_unlock(&p->mig_lock);
	if (!len || fz_chance(r, 20)) {
		len = 1 + fz_below(r, sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = fz_next(r);
	} else if (fz_chance(r, 50)) {
		switch (fz_below(r, 3)) {
		case 0:
			buf[fz_below(r, len)] ^= 1 << fz_below(r, 8);
			break;
		case 1:
			len = fz_below(r, len) + 1;
			break;
		default:
			i = fz_below(r, len);
			memset(buf + i, 0xff, len - i < 8 ? len - i : 8);
			break;
		}
	}
	pthread_mutex_lock(&p->fd_lock);
	fd = atomic_load(&p->migfd);
	n = fd < 0 ? -1 : write(fd, buf, len);
	if (fd < 0)
		errno = EBADF;
	pthread_mutex_unlock(&p->fd_lock);
	return n < 0 ? -errno : n;
}

static long fz_mig_precopy(struct fz_thread *t)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };
	long ret;

	if (fz_chance(&t->rng, 10))
		info.argsz = fz_below(&t->rng, sizeof(info));
	if (fz_chance(&t->rng, 10))
		info.flags = fz_next(&t->rng);
	pthread_mutex_lock(&t->p->fd_lock);
	ret = fz_ret(ioctl(atomic_load(&t->p->migfd),
			   VFIO_MIG_GET_PRECOPY_INFO, &info));
	pthread_mutex_unlock(&t->p->fd_lock);
	return ret;
}

static long fz_mig_close(struct fz_thread *t)
{
	if (fz_chance(&t->rng, 50)) {
		pthread_mutex_lock(&t->p->mig_lock);
		t->p->miglen = 0;
		pthread_mutex_unlock(&t->p->mig_lock);
	}
	fz_set_migfd(t->p, -1);
	return 0;
}

static long fz_mig_size(struct fz_thread *t)
{
	struct vfio_device_feature_mig_data_size sz = { };
	uint32_t probe = fz_chance(&t->rng, 20) ? VFIO_DEVICE_FEATURE_PROBE : 0;

	return fz_feature(t->p, VFIO_DEVICE_FEATURE_GET | probe |
			  VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &sz, sizeof(sz),
			  NULL);
}

static long fz_dma_log_start(struct fz_thread *t)
{
	struct fz_rng *r = &t->rng;
	struct vfio_device_feature_dma_logging_range ranges[4];
	struct vfio_device_feature_dma_logging_control ctl = { };
	uint32_t i;

	ctl.page_size = fz_chance(r, 70) ? 4096ULL << fz_below(r, 10) :
			fz_value(r);
	ctl.num_ranges = fz_chance(r, 90) ? fz_below(r, 5) : fz_next(r);
	for (i = 0; i < 4; i++) {
		ranges[i].iova = fz_chance(r, 80) ? (i + 1) << 20 :
				 fz_value(r);
		ranges[i].length = fz_chance(r, 80) ?
				   (1 + fz_below(r, 16)) << 16 : fz_value(r);
	}
	ctl.ranges = fz_chance(r, 95) ? (uintptr_t)ranges : fz_next(r);
	return fz_feature(t->p, VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_DMA_LOGGING_START, &ctl,
			  sizeof(ctl), NULL);
}

static long fz_dma_log_stop(struct fz_thread *t)
{
	return fz_feature(t->p, VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP, NULL, 0, NULL);
}

static long fz_dma_log_report(struct fz_thread *t)
{
	struct fz_rng *r = &t->rng;
	struct vfio_device_feature_dma_logging_report rep = { };
	static __thread uint64_t bitmap[512];

	rep.iova = fz_chance(r, 80) ? 1 << 20 : fz_value(r);
	rep.length = fz_chance(r, 80) ? (1 + fz_below(r, 64)) << 12 :
		     fz_value(r);
	rep.page_size = fz_chance(r, 80) ? 4096 : fz_value(r);
	rep.bitmap = fz_chance(r, 90) ? (uintptr_t)bitmap : 8;
	/*
	 * Our buffer must hold whatever bitmap the kernel may accept: for
	 * more pages than it has bits, pass an address that faults instead.
	 */
	if (!rep.page_size || rep.length / rep.page_size >
	    8 * sizeof(bitmap) - 64)
		rep.bitmap = 8;
	return fz_feature(t->p, VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, &rep,
			  sizeof(rep), NULL);
}

static long fz_low_power(struct fz_thread *t)
{
	struct vfio_device_low_power_entry_with_wakeup w = { };

	switch (fz_below(&t->rng, 3)) {
	case 0:
		return fz_feature(t->p, VFIO_DEVICE_FEATURE_SET |
				  VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY,
				  NULL, 0, NULL);
	case 1:
		w.wakeup_eventfd = fz_pick_efd(t);
		return fz_feature(t->p, VFIO_DEVICE_FEATURE_SET |
				  VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
				  &w, sizeof(w), NULL);
	default:
		return fz_feature(t->p, VFIO_DEVICE_FEATURE_SET |
				  VFIO_DEVICE_FEATURE_LOW_POWER_EXIT,
				  NULL, 0, NULL);
	}
}

static long fz_vf_token(struct fz_thread *t)
{
	uint8_t uuid[16];
	int i;

	for (i = 0; i < 16; i++)
		uuid[i] = fz_next(&t->rng);
	return fz_feature(t->p, VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, uuid,
			  fz_chance(&t->rng, 90) ? 16 : fz_below(&t->rng, 20),
			  NULL);
}

static long fz_ioeventfd(struct fz_thread *t)
{
	struct fz_proc *p = t->p;
	struct fz_rng *r = &t->rng;
	struct vfio_device_ioeventfd io = { .argsz = sizeof(io) };
	static const uint32_t sizes[] = { 1, 2, 4, 8 };
	int bar = fz_region(t);
	uint64_t off;

	io.flags = sizes[fz_below(r, 4)];
	if (fz_chance(r, 5))
		io.flags = fz_next(r);
	off = fz_offset(r, bar < VFIO_PCI_NUM_REGIONS ?
			   p->regions[bar].size : 0) & FZ_OFF_MASK;
	io.fd = fz_chance(r, 30) ? -1 : fz_pick_efd(t);
	io.data = fz_value(r);
	/* Assigning one writes the BAR later: only where allowed. */
	if (io.fd >= 0 && bar < VFIO_PCI_NUM_REGIONS &&
	    bar != VFIO_PCI_CONFIG_REGION_INDEX &&
	    !fz_writable(p->type, bar, off, 8))
		io.fd = -1;
	io.offset = (bar < VFIO_PCI_NUM_REGIONS ? fz_region_off(p, bar) :
		     (uint64_t)bar << 40) + off;
	return fz_ret(ioctl(p->devfd, VFIO_DEVICE_IOEVENTFD, &io));
}

static long fz_eventfd_new(struct fz_thread *t)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int old;

	if (fd < 0)
		return -errno;
	pthread_mutex_lock(&t->p->fd_lock);
	old = atomic_exchange(&t->p->efd[fz_below(&t->rng, FZ_EVENTFDS)], fd);
	if (old >= 0)
		close(old);
	pthread_mutex_unlock(&t->p->fd_lock);
	return 0;
}

/* Closing an eventfd the device may hold armed: the kernel keeps its own. */
static long fz_eventfd_close(struct fz_thread *t)
{
	int old;

	pthread_mutex_lock(&t->p->fd_lock);
	old = atomic_exchange(&t->p->efd[fz_below(&t->rng, FZ_EVENTFDS)], -1);
	if (old >= 0)
		close(old);
	pthread_mutex_unlock(&t->p->fd_lock);
	return old < 0 ? -EBADF : 0;
}

static long fz_eventfd_signal(struct fz_thread *t)
{
	unsigned int slot = fz_below(&t->rng, FZ_EVENTFDS);
	bool wr = fz_chance(&t->rng, 50);
	uint64_t one = 1;
	long ret;
	int fd;

	pthread_mutex_lock(&t->p->fd_lock);
	fd = atomic_load(&t->p->efd[slot]);
	if (fd < 0)
		ret = -EBADF;
	else
		ret = (wr ? write(fd, &one, 8) : read(fd, &one, 8)) < 0 ?
		      -errno : 0;
	pthread_mutex_unlock(&t->p->fd_lock);
	return ret;
}

static long fz_ioas_map(struct fz_thread *t)
{
	struct fz_proc *p = t->p;
	struct fz_rng *r = &t->rng;
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)p->iobuf,
	};
	uint32_t ioas = p->ioas[fz_below(r, 2)];

	if (p->iommufd < 0)
		return -EBADF;
	map.ioas_id = unmap.ioas_id = ioas;
	map.iova = unmap.iova = (2 + fz_below(r, 30)) << 20;
	map.length = unmap.length = (1 + fz_below(r, 16)) << 12;
	if (fz_chance(r, 50))
		return fz_ret(ioctl(p->iommufd, IOMMU_IOAS_MAP, &map));
	return fz_ret(ioctl(p->iommufd, IOMMU_IOAS_UNMAP, &unmap));
}

/* Attach to one of the two IOASes: a replace when already attached. */
static long fz_attach(struct fz_thread *t)
{
	uint32_t pt = fz_chance(&t->rng, 90) ?
		      t->p->ioas[fz_below(&t->rng, 2)] : fz_next(&t->rng);

	return __vt_attach(t->p->devfd, pt, NULL);
}

static long fz_detach(struct fz_thread *t)
{
	return __vt_detach(t->p->devfd);
}

/* Any vfio ioctl number, with a buffer of random bytes. */
static long fz_random_ioctl(struct fz_thread *t)
{
	struct fz_rng *r = &t->rng;
	uint8_t buf[256];
	unsigned int nr = VFIO_BASE + fz_below(r, 32);
	size_t i;

	/*
	 * Not the ones that rebind the session, nor IOEVENTFD, which would
	 * write the BARs at random offsets (fz_ioeventfd aims it).
	 */
	if (nr == VFIO_BASE + 16 || nr == VFIO_BASE + 18 ||
	    nr == VFIO_BASE + 19)
		return -EPERM;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = fz_next(r);
	*(uint32_t *)buf = fz_chance(r, 50) ? sizeof(buf) : fz_below(r, 64);
	return fz_ret(ioctl(t->p->devfd, _IO(VFIO_TYPE, nr), buf));
}

static long fz_reopen(struct fz_thread *t);

typedef long (*fz_call_fn)(struct fz_thread *t);

struct fz_call {
	fz_call_fn fn;
	unsigned int weight;
};

static const struct fz_call fz_calls[FZ_NR_OPS] = {
	[FZ_OP_get_info] = { fz_get_info, 3 },
	[FZ_OP_region_info] = { fz_region_info, 5 },
	[FZ_OP_irq_info] = { fz_irq_info, 3 },
	[FZ_OP_set_irqs] = { fz_set_irqs, 14 },
	[FZ_OP_region_read] = { fz_region_read, 12 },
	[FZ_OP_region_write] = { fz_region_write, 10 },
	[FZ_OP_config_write] = { fz_config_write, 8 },
	[FZ_OP_mmap] = { fz_mmap, 5 },
	[FZ_OP_munmap] = { fz_munmap, 3 },
	[FZ_OP_touch] = { fz_touch, 10 },
	[FZ_OP_decode_toggle] = { fz_decode_toggle, 4 },
	[FZ_OP_reset] = { fz_reset, 2 },
	[FZ_OP_hot_reset_info] = { fz_hot_reset_info, 2 },
	[FZ_OP_hot_reset] = { fz_hot_reset, 1 },
	[FZ_OP_feature_raw] = { fz_feature_raw, 4 },
	[FZ_OP_mig_state] = { fz_mig_state, 6 },
	[FZ_OP_mig_data_read] = { fz_mig_data_read, 4 },
	[FZ_OP_mig_data_write] = { fz_mig_data_write, 4 },
	[FZ_OP_mig_precopy] = { fz_mig_precopy, 2 },
	[FZ_OP_mig_close] = { fz_mig_close, 1 },
	[FZ_OP_dma_log_start] = { fz_dma_log_start, 2 },
	[FZ_OP_dma_log_stop] = { fz_dma_log_stop, 1 },
	[FZ_OP_dma_log_report] = { fz_dma_log_report, 2 },
	[FZ_OP_low_power] = { fz_low_power, 3 },
	[FZ_OP_vf_token] = { fz_vf_token, 1 },
	[FZ_OP_mig_size] = { fz_mig_size, 1 },
	[FZ_OP_ioeventfd] = { fz_ioeventfd, 4 },
	[FZ_OP_eventfd_new] = { fz_eventfd_new, 4 },
	[FZ_OP_eventfd_close] = { fz_eventfd_close, 2 },
	[FZ_OP_eventfd_signal] = { fz_eventfd_signal, 4 },
	[FZ_OP_ioas_map] = { fz_ioas_map, 2 },
	[FZ_OP_attach] = { fz_attach, 2 },
	[FZ_OP_detach] = { fz_detach, 1 },
	[FZ_OP_random_ioctl] = { fz_random_ioctl, 2 },
	[FZ_OP_reopen] = { fz_reopen, 1 },
};

static long fz_reopen(struct fz_thread *t)
{
	struct fz_proc *p = t->p;
	long ret;

	/* Called with the session lock held for write (see fz_worker). */
	fz_set_migfd(p, -1);
	fz_close_session(p);
	ret = fz_open_session(p, &t->rng);
	return ret;
}

static enum fz_op fz_pick(struct fz_rng *r)
{
	unsigned int i, x, total = 0;

	for (i = 0; i < FZ_NR_OPS; i++)
		total += fz_calls[i].weight;
	x = fz_below(r, total);
	for (i = 0; i < FZ_NR_OPS; i++) {
		if (x < fz_calls[i].weight)
			return i;
		x -= fz_calls[i].weight;
	}
	return FZ_OP_get_info;
}

/* ------------------------------------------------------------------ */
/* Workers                                                             */
/* ------------------------------------------------------------------ */

static void *fz_worker(void *arg)
{
	struct fz_thread *t = arg;
	struct fz_proc *p = t->p;
	unsigned long n;
	int i;

	for (n = 0; !p->calls || n < p->calls; n++) {
		enum fz_op op = fz_pick(&t->rng);
		long ret;

		if (!p->calls && time(NULL) >= p->deadline)
			break;
		if (p->verbose)
			fprintf(stderr, "# %s p%d t%d #%lu %s\n", p->bdf,
				p->proc_index, t->index, n, fz_op_names[op]);
		if (op == FZ_OP_reopen) {
			if (p->keep)
				continue;
			pthread_rwlock_wrlock(&p->lock);
			ret = fz_reopen(t);
			pthread_rwlock_unlock(&p->lock);
		} else {
			pthread_rwlock_rdlock(&p->lock);
			ret = p->devfd >= 0 ? fz_calls[op].fn(t) : -ENODEV;
			pthread_rwlock_unlock(&p->lock);
		}
		/* Without a session, try to get one (an open is the call). */
		if (p->devfd < 0 && !p->keep) {
			pthread_rwlock_wrlock(&p->lock);
			if (p->devfd < 0)
				ret = fz_open_session(p, &t->rng);
			pthread_rwlock_unlock(&p->lock);
			op = FZ_OP_reopen;
			if (ret)
				usleep(2000);
		}
		fz_record(p->sh, op, ret);
	}
	for (i = 0; i < FZ_MAPS; i++)
		if (t->maps[i].addr)
			munmap(t->maps[i].addr, t->maps[i].len);
	return NULL;
}

static int fz_process(struct fz_proc *p, int nthreads)
{
	struct fz_thread threads[16];
	pthread_t tids[16];
	struct sigaction sa = { .sa_handler = fz_sigbus };
	struct fz_rng r;
	int i;

	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_rwlock_init(&p->lock, NULL);
	pthread_mutex_init(&p->mig_lock, NULL);
	pthread_mutex_init(&p->fd_lock, NULL);
	p->devfd = p->iommufd = p->container = p->group = -1;
	atomic_init(&p->migfd, -1);
	for (i = 0; i < FZ_EVENTFDS; i++)
		atomic_init(&p->efd[i], eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	p->iobuf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->iobuf == MAP_FAILED)
		return 1;

	r.s = fz_mix(p->seed ^ fz_mix(p->dev_index * 131 + p->proc_index));
	/* With -R the session is the point: insist on getting one. */
	for (i = 0; fz_open_session(p, &r) && p->keep && i < 100; i++)
		usleep(100 * 1000);

	if (nthreads > 16)
		nthreads = 16;
	for (i = 0; i < nthreads; i++) {
		memset(&threads[i], 0, sizeof(threads[i]));
		threads[i].p = p;
		threads[i].index = i;
		threads[i].rng.s = fz_mix(p->seed ^
					  fz_mix(((uint64_t)p->dev_index << 32) |
						 (p->proc_index << 8) | i)) | 1;
		pthread_create(&tids[i], NULL, fz_worker, &threads[i]);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);

	fz_set_migfd(p, -1);
	fz_close_session(p);
	for (i = 0; i < FZ_EVENTFDS; i++)
		if (atomic_load(&p->efd[i]) >= 0)
			close(atomic_load(&p->efd[i]));
	return 0;
}

static const struct fz_devtype *fz_lookup(const char *bdf)
{
	long long vendor = vt_sysfs_num(bdf, "vendor");
	long long device = vt_sysfs_num(bdf, "device");
	size_t i;

	for (i = 0; i < sizeof(fz_devtypes) / sizeof(fz_devtypes[0]); i++)
		if (fz_devtypes[i].vendor == vendor &&
		    fz_devtypes[i].device == device)
			return &fz_devtypes[i];
	return &fz_unknown;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-s SEED] [-n CALLS] [-t SECONDS] [-p PROCS] [-j THREADS] [-R] [-v] BDF...\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long calls = 0;
	int procs = 2, nthreads = 2, seconds = 10, opt, d, i, status;
	bool verbose = false, have_seed = false, failed = false, keep = false;
	uint64_t seed = 0;
	struct fz_shared *sh;
	int ndev;

	while ((opt = getopt(argc, argv, "s:n:t:p:j:Rv")) != -1) {
		switch (opt) {
		case 'R':
			keep = true;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 'n':
			calls = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		case 'p':
			procs = atoi(optarg);
			break;
		case 'j':
			nthreads = atoi(optarg);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	ndev = argc - optind;
	if (ndev < 1 || procs < 1 || nthreads < 1)
		usage(argv[0]);
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = fz_mix(ts.tv_sec ^ ((uint64_t)ts.tv_nsec << 20) ^
			      getpid());
	}

	printf("# vfio_fuzz: seed %#llx, %d process(es) x %d thread(s) per device, %s %lu\n",
	       (unsigned long long)seed, procs, nthreads,
	       calls ? "calls per thread" : "seconds", calls ? calls :
	       (unsigned long)seconds);
	printf("# replay: vfio_fuzz -s %#llx %s%lu -p %d -j %d%s",
	       (unsigned long long)seed, calls ? "-n " : "-t ",
	       calls ? calls : (unsigned long)seconds, procs, nthreads,
	       keep ? " -R" : "");
	for (d = 0; d < ndev; d++)
		printf(" %s", argv[optind + d]);
	printf("\n");
	fflush(stdout);

	sh = mmap(NULL, sizeof(*sh) * ndev, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		vt_die("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof(*sh) * ndev);

	for (d = 0; d < ndev; d++) {
		for (i = 0; i < procs; i++) {
			pid_t pid = fork();

			if (pid < 0)
				vt_die("fork: %s", strerror(errno));
			if (!pid) {
				struct fz_proc *p = calloc(1, sizeof(*p));

				p->bdf = argv[optind + d];
				p->type = fz_lookup(p->bdf);
				p->sh = &sh[d];
				p->seed = seed;
				p->dev_index = d;
				p->proc_index = i;
				p->calls = calls;
				p->deadline = time(NULL) + seconds;
				p->verbose = verbose;
				p->keep = keep;
				_exit(fz_process(p, nthreads));
			}
		}
	}
	while (wait(&status) > 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failed = true;
			printf("# a worker died: %s %d\n",
			       WIFSIGNALED(status) ? "signal" : "exit",
			       WIFSIGNALED(status) ? WTERMSIG(status) :
			       WEXITSTATUS(status));
		}
	}

	for (d = 0; d < ndev; d++) {
		const char *bdf = argv[optind + d];

		printf("# fuzz: %s (%s) calls=%lu paths=%u\n", bdf,
		       fz_lookup(bdf)->name, atomic_load(&sh[d].calls),
		       fz_paths(&sh[d]));
		if (verbose) {
			unsigned int op, s;

			for (op = 0; op < FZ_NR_OPS; op++)
				for (s = 0; s < FZ_RESULTS; s++)
					if (atomic_load(&sh[d].seen[op][s]))
						printf("#   %s %s%u\n",
						       fz_op_names[op],
						       s == FZ_RESULTS - 1 ?
						       ">0 " : "-", s);
		}
	}
	return failed ? 1 : 0;
}
