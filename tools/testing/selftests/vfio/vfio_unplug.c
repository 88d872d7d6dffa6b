// SPDX-License-Identifier: GPL-2.0
/*
 * Devices leaving while a user holds them: QEMU's device_del (an orderly
 * removal through the slot's attention button, driven from inside the guest
 * over the rig's monitor), sysfs remove, and the PF's driver unbinding
 * under an open VF.  In each case the user's REQ eventfd fires, the removal
 * waits for the user without holding up anything else, the device goes
 * once the user closes, and it comes back usable (device_add, rescan,
 * rebind).
 *
 * Not a *_test binary: the rig runs it in a boot of its own
 * (guest/unplug.sh), where the root ports' hot-plug is pciehp's, because it
 * changes the device set while it runs.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "lib/pci_sysfs.h"
#include "lib/vfio_driver.h"
#include "lib/qemu_monitor.h"
#include "lib/vfio_test.h"

/* Removal through pciehp waits out the attention button's 5 s first. */
#define GONE_MS		60000
#define BACK_MS		60000
#define PRESS_MS	15000

struct held {
	struct vt_device dev;
	int req, intr, ioev;
	void *map;
	size_t maplen;
	int migfd;
};

/* Everything a VMM holds on a device: see the header comment. */
static void hold(struct __test_metadata *_metadata, struct held *h,
		 const char *bdf, uint32_t irq_index, bool migrate)
{
	struct vfio_device_ioeventfd io = { .argsz = sizeof(io) };
	struct vfio_region_info info;
	int i;

	h->migfd = -1;
	h->map = NULL;
	vt_device_open(&h->dev, bdf);
	h->req = eventfd(0, EFD_CLOEXEC);
	h->intr = eventfd(0, EFD_CLOEXEC);
	h->ioev = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, h->req);
	ASSERT_EQ(0, __vt_set_irq_fds(h->dev.fd, VFIO_PCI_REQ_IRQ_INDEX, 0, 1,
				   &h->req));
	ASSERT_EQ(0, __vt_set_irq_fds(h->dev.fd, irq_index, 0, 1, &h->intr));

	/*
	 * A page of the first BAR that allows one (the first page, or the
	 * second where a variant traps the first), touched.
	 */
	for (i = 0; i < 12 && !h->map; i++) {
		uint64_t off = (i & 1) * 4096;
		void *p;

		if (__vt_region_info(h->dev.fd, i / 2, &info) ||
		    info.size < off + 4096 ||
		    !(info.flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		h->maplen = 4096;
		if (__vt_region_mmap(h->dev.fd, &info, off, h->maplen,
				     PROT_READ, MAP_SHARED, &p))
			continue;
		(void)*(volatile uint32_t *)p;
		h->map = p;
		/* An ioeventfd on a dword of that page, never signalled. */
		io.offset = info.offset + off + 0x100;
		io.flags = VFIO_DEVICE_IOEVENTFD_32;
		io.fd = h->ioev;
		ASSERT_EQ(0, ioctl(h->dev.fd, VFIO_DEVICE_IOEVENTFD, &io));
	}
	ASSERT_NE(NULL, h->map);

	if (migrate) {
		ASSERT_EQ(0, __vt_mig_set_state(h->dev.fd,
					   VFIO_DEVICE_STATE_STOP, NULL));
		ASSERT_EQ(0, __vt_mig_set_state(h->dev.fd,
					   VFIO_DEVICE_STATE_STOP_COPY,
					   &h->migfd));
		ASSERT_LE(0, h->migfd);
	}
}

static void release(struct held *h)
{
	if (h->map)
		munmap(h->map, h->maplen);
	if (h->migfd >= 0)
		close(h->migfd);
	close(h->req);
	close(h->intr);
	close(h->ioev);
	vt_device_close(&h->dev);
}

static bool req_fired(int efd, int ms)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	uint64_t n;

	if (poll(&pfd, 1, ms) != 1)
		return false;
	return read(efd, &n, 8) == 8 && n > 0;
}

/* Another device still answers while a removal waits. */
static bool others_still_work(const char *skip)
{
	static const uint16_t ids[][2] = {
		{ 0x1af4, 0x1110 }, { 0x1b36, 0x0005 }, { 0x1234, 0x11e8 },
	};
	char bdfs[VT_MAX_BDFS][VT_BDF_LEN];
	struct vfio_region_info cfg;
	struct vt_device d;
	uint16_t vendor = 0;
	size_t i;
	int n;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		n = vt_find_bound(ids[i][0], ids[i][1], bdfs, VT_MAX_BDFS);
		while (n-- > 0) {
			if (!strcmp(bdfs[n], skip))
				continue;
			vt_device_open(&d, bdfs[n]);
			if (!__vt_region_info(d.fd, VFIO_PCI_CONFIG_REGION_INDEX,
					      &cfg))
				__vt_region_read(d.fd, &cfg, 0, &vendor, 2);
			vt_device_close(&d);
			return vendor == ids[i][0];
		}
	}
	return false;
}

/* The function is back, on vfio-pci, and its config space answers. */
static void usable(struct __test_metadata *_metadata, const char *bdf,
		   uint16_t vendor)
{
	struct vfio_region_info cfg;
	struct vt_device d;
	uint16_t v = 0;

	ASSERT_TRUE(vt_wait_present(bdf, true, BACK_MS));
	ASSERT_EQ(0, vt_rebind(bdf, "vfio-pci"));
	vt_device_open(&d, bdf);
	ASSERT_EQ(0, __vt_region_info(d.fd, VFIO_PCI_CONFIG_REGION_INDEX,
				      &cfg));
	ASSERT_EQ(2, __vt_region_read(d.fd, &cfg, 0, &v, 2));
	vt_device_close(&d);
	ASSERT_EQ(vendor, v);
}

static void hmp_ok(struct __test_metadata *_metadata, const char *cmd)
{
	char out[1024];

	ASSERT_EQ(0, vt_hmp(cmd, out, sizeof(out)));
	/* HMP prints nothing on success for these. */
	if (out[0])
		TH_LOG("%s: %s", cmd, out);
	ASSERT_EQ(NULL, strstr(out, "rror"));
}

/*
 * The Slot Control and Slot Status of the port above @bdf, read from its
 * config space in sysfs; -1 if they cannot be read.
 */
static int port_slot_regs(const char *bdf, char *port, size_t len,
			  uint16_t *ctl, uint16_t *sta)
{
	char path[PATH_MAX], link[PATH_MAX];
	uint8_t cfg[256], pos;
	ssize_t n;
	int fd, hops;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	*strrchr(link, '/') = '\0';
	snprintf(port, len, "%s", strrchr(link, '/') + 1);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", port);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = pread(fd, cfg, sizeof(cfg), 0);
	close(fd);
	if (n != sizeof(cfg))
		return -1;
	for (pos = cfg[PCI_CAPABILITY_LIST], hops = 0; pos && hops < 48;
	     pos = cfg[pos + PCI_CAP_LIST_NEXT], hops++) {
		if (cfg[pos + PCI_CAP_LIST_ID] != PCI_CAP_ID_EXP)
			continue;
		memcpy(ctl, &cfg[pos + PCI_EXP_SLTCTL], 2);
		memcpy(sta, &cfg[pos + PCI_EXP_SLTSTA], 2);
		return 0;
	}
	return -1;
}

/*
 * device_del of @id, whose user armed @req: QEMU presses the slot's
 * attention button, pciehp blinks for 5 s and then removes the function,
 * which asks the user through REQ.  Should no REQ come within PRESS_MS,
 * the port's slot registers are logged and the button pressed once more
 * (QEMU refuses a device_del while the power indicator blinks, so this
 * press cannot cancel a pending one).  Presses that went missing were
 * commands the monitor never took (lib/qemu_monitor.c): vt_hmp() now makes
 * sure it took each one.
 */
static void hmp_device_del(struct __test_metadata *_metadata,
			   const char *bdf, const char *id, int req)
{
	char cmd[64], out[1024], port[VT_BDF_LEN];
	uint16_t ctl = 0, sta = 0;

	snprintf(cmd, sizeof(cmd), "device_del %s", id);
	hmp_ok(_metadata, cmd);
	if (req_fired(req, PRESS_MS))
		return;
	/* What the port shows: a pending press (ABP, bit 0) nobody took? */
	if (!port_slot_regs(bdf, port, sizeof(port), &ctl, &sta))
		TH_LOG("port %s: Slot Control %#06x, Slot Status %#06x",
		       port, ctl, sta);
	TH_LOG("no REQ %d s after %s: pressing the button again",
	       PRESS_MS / 1000, cmd);
	ASSERT_EQ(0, vt_hmp(cmd, out, sizeof(out)));
	if (out[0])
		TH_LOG("%s: %s", cmd, out);
	if (strstr(out, "rror") && !strstr(out, "process of unplug"))
		ASSERT_TRUE(false);
	ASSERT_TRUE(req_fired(req, GONE_MS));
}

/*
 * The power file of the hot-plug slot @bdf sits in, into @path (pciehp
 * names the slot after the port's physical slot number; its address file
 * gives the function's domain:bus:device).
 */
static bool slot_power_path(const char *bdf, char *path, size_t len)
{
	char addr[32], want[VT_BDF_LEN];
	int i;

	snprintf(want, sizeof(want), "%.*s", (int)strcspn(bdf, "."), bdf);
	for (i = 0; i < 64; i++) {
		snprintf(path, len, "/sys/bus/pci/slots/%d/address", i);
		if (vt_read_file(path, addr, sizeof(addr)) <= 0)
			continue;
		addr[strcspn(addr, "\n")] = '\0';
		if (strcmp(addr, want))
			continue;
		snprintf(path, len, "/sys/bus/pci/slots/%d/power", i);
		return true;
	}
	return false;
}

/* pciehp has powered the slot off: QEMU has let go of the old device. */
static bool slot_powered_off(const char *power, int ms)
{
	char val[8];

	for (; ms >= 0; ms -= 100) {
		if (vt_read_file(power, val, sizeof(val)) > 0 && val[0] == '0')
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/*
 * device_add of a function device_del removed, once its slot is off.
 * QEMU lets go of the old device only when the guest powers the slot off,
 * so device_add before that finds its id taken: retry while it is.
 */
static void hmp_device_add(struct __test_metadata *_metadata,
			   const char *power, const char *cmd)
{
	char out[1024];
	int ms;

	ASSERT_TRUE(slot_powered_off(power, BACK_MS));
	for (ms = 0; ms < BACK_MS; ms += 500) {
		ASSERT_EQ(0, vt_hmp(cmd, out, sizeof(out)));
		if (!strstr(out, "Duplicate device ID"))
			break;
		usleep(500 * 1000);
	}
	if (out[0])
		TH_LOG("%s: %s", cmd, out);
	ASSERT_EQ(NULL, strstr(out, "rror"));
}

/*
 * The monitor's line editor keeps what it got without a newline and puts
 * the next command after it.  Bytes of that kind (what a tty that still
 * echoes sends back: the monitor's own prompt) must not cost the next
 * command: vt_hmp() takes it, and says what the monitor printed.  Without
 * that, device_del and device_add came back "unknown command" and the test
 * waited for presses that never happened.
 */
TEST(monitor_takes_a_command_after_a_partial_line)
{
	static const char junk[] = "(qemu) ";
	struct termios tio;
	char out[1024];
	int fd;

	if (!vt_hmp_available())
		SKIP(return, "no QEMU monitor on ttyS1");
	fd = open("/dev/ttyS1", O_RDWR | O_NOCTTY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tcgetattr(fd, &tio));
	cfmakeraw(&tio);
	ASSERT_EQ(0, tcsetattr(fd, TCSANOW, &tio));
	ASSERT_EQ((ssize_t)strlen(junk), write(fd, junk, strlen(junk)));
	ASSERT_EQ(0, tcdrain(fd));
	close(fd);

	ASSERT_EQ(0, vt_hmp("info version", out, sizeof(out)));
	TH_LOG("info version: %s", out);
	/* The version, "10.0.2..." */
	ASSERT_TRUE(out[0] >= '1' && out[0] <= '9');
}

FIXTURE(unplug) {
	char bdf[VT_BDF_LEN];
};

FIXTURE_SETUP(unplug)
{
	self->bdf[0] = '\0';
}

FIXTURE_TEARDOWN(unplug)
{
}

/* The first @vendor:@device on vfio-pci into self->bdf, or SKIP. */
#define NEED_DEVICE(vendor, device, monitor) do {			\
	const char *found_ = vt_find_one(vendor, device);		\
									\
	if (!found_)							\
		SKIP(return, "no %04x:%04x bound to vfio-pci",		\
		     vendor, device);					\
	if ((monitor) && !vt_hmp_available())				\
		SKIP(return, "no QEMU monitor on ttyS1");		\
	snprintf(self->bdf, sizeof(self->bdf), "%s", found_);		\
} while (0)

struct sysfs_job {
	char path[128];
	int ret;
	bool done;
};

static void *sysfs_job_run(void *arg)
{
	struct sysfs_job *job = arg;

	job->ret = vt_write_file(job->path, "1");
	__atomic_store_n(&job->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * sysfs remove of an open pci-testdev: REQ fires, remove waits for the
 * close, then a rescan brings the function back.  The first removal of the
 * suite: the first one through pciehp (device_del) makes lockdep report
 * pciehp's own lock cycle (a known kernel report, the README's "Unplug and
 * lockdep"), after which lockdep checks nothing more in the boot; sysfs
 * remove does not go through pciehp.
 */
TEST_F_TIMEOUT(unplug, sysfs_remove_of_open_device, 180)
{
	struct sysfs_job job = { };
	pthread_t th;
	struct held h;

	NEED_DEVICE(0x1b36, 0x0005, false);
	/* pci-testdev has no interrupt: the ERR eventfd stands in. */
	hold(_metadata, &h, self->bdf, VFIO_PCI_ERR_IRQ_INDEX, false);
	snprintf(job.path, sizeof(job.path), "/sys/bus/pci/devices/%s/remove",
		 self->bdf);
	ASSERT_EQ(0, pthread_create(&th, NULL, sysfs_job_run, &job));
	ASSERT_TRUE(req_fired(h.req, 30000));
	usleep(500 * 1000);
	ASSERT_FALSE(__atomic_load_n(&job.done, __ATOMIC_ACQUIRE));
	release(&h);
	pthread_join(th, NULL);
	ASSERT_EQ(0, job.ret);
	ASSERT_TRUE(vt_wait_present(self->bdf, false, 5000));

	ASSERT_EQ(0, vt_write_file("/sys/bus/pci/rescan", "1"));
	usable(_metadata, self->bdf, 0x1b36);
}

/*
 * e1000e with BAR0 mapped, MSI-X vector 0 armed, an ioeventfd: device_del,
 * REQ fires, the user closes at once, the function leaves; device_add.
 */
TEST_F_TIMEOUT(unplug, device_del_of_open_device_user_closes, 240)
{
	const char *bdf = self->bdf;
	char power[64];
	struct held h;

	NEED_DEVICE(0x8086, 0x10d3, true);

	ASSERT_TRUE(slot_power_path(bdf, power, sizeof(power)));
	hold(_metadata, &h, bdf, VFIO_PCI_MSIX_IRQ_INDEX, false);
	hmp_device_del(_metadata, bdf, "e1000e0", h.req);
	release(&h);
	ASSERT_TRUE(vt_wait_present(bdf, false, GONE_MS));

	hmp_device_add(_metadata, power, "device_add e1000e,bus=rp4,id=e1000e0");
	usable(_metadata, bdf, 0x8086);
}

/*
 * The second edu under edu-vfio-pci, with BAR0 mapped, INTx armed, an
 * ioeventfd and a STOP_COPY data fd open: device_del, REQ fires, the user
 * does not close.  The removal waits, other devices still work, nothing
 * splats (the rig's log check); the user closes and the function leaves.
 */
TEST_F_TIMEOUT(unplug, device_del_waits_for_user_that_holds_on, 300)
{
	char bdfs[VT_MAX_BDFS][VT_BDF_LEN], power[64];
	struct held h;
	int n;

	n = vt_find_bound(0x1234, 0x11e8, bdfs, VT_MAX_BDFS);
	if (n < 2)
		SKIP(return, "needs the second edu bound to vfio-pci");
	if (!vt_hmp_available())
		SKIP(return, "no QEMU monitor on ttyS1");
	if (access("/sys/bus/pci/drivers/edu-vfio-pci", F_OK))
		SKIP(return, "edu-vfio-pci is not loaded");
	snprintf(self->bdf, sizeof(self->bdf), "%s", bdfs[1]);

	ASSERT_TRUE(slot_power_path(self->bdf, power, sizeof(power)));
	ASSERT_EQ(0, vt_rebind(self->bdf, "edu-vfio-pci"));
	hold(_metadata, &h, self->bdf, VFIO_PCI_INTX_IRQ_INDEX, true);
	hmp_device_del(_metadata, self->bdf, "edu1", h.req);

	/* Held: still there ten seconds on, and the rest works. */
	sleep(10);
	ASSERT_TRUE(vt_wait_present(self->bdf, true, 0));
	ASSERT_TRUE(others_still_work(self->bdf));
	/* REQ is asked again while the user stays. */
	ASSERT_TRUE(req_fired(h.req, 20000));

	release(&h);
	ASSERT_TRUE(vt_wait_present(self->bdf, false, GONE_MS));
	hmp_device_add(_metadata, power, "device_add edu,bus=rp2,dma_mask=0xffffffffff,id=edu1");
	usable(_metadata, self->bdf, 0x1234);
}

TEST_HARNESS_MAIN
