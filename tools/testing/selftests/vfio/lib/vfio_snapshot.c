// SPDX-License-Identifier: GPL-2.0
/*
 * Device snapshots for the differential test; see vfio_snapshot.h.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfio_snapshot.h"

#define VT_SNAP_BUF	1024

/* Walk an info cap chain starting at @off inside @buf of @len bytes. */
static void vt_snap_walk_caps(struct vt_snap_caps *c, const uint8_t *buf,
			      size_t len, uint32_t off)
{
	c->n = 0;
	while (off && c->n < VT_SNAP_MAX_CAPS &&
	       off + sizeof(struct vfio_info_cap_header) <= len) {
		struct vfio_info_cap_header hdr;

		memcpy(&hdr, buf + off, sizeof(hdr));
		c->id[c->n] = hdr.id;
		c->version[c->n] = hdr.version;
		c->n++;
		if (hdr.next <= off)
			break;
		off = hdr.next;
	}
}

static void vt_snap_info(struct vt_snapshot *s, int fd)
{
	uint64_t raw[VT_SNAP_BUF / 8] = {};
	struct vfio_device_info *info = (void *)raw;

	info->argsz = sizeof(raw);
	s->info_ret = ioctl(fd, VFIO_DEVICE_GET_INFO, info) ? -errno : 0;
	if (s->info_ret)
		return;
	s->info_flags = info->flags;
	s->num_regions = info->num_regions;
	s->num_irqs = info->num_irqs;
	if (info->flags & VFIO_DEVICE_FLAGS_CAPS)
		vt_snap_walk_caps(&s->info_caps, (void *)raw, sizeof(raw),
				  info->cap_offset);
}

static void vt_snap_region(struct vt_snap_region *r, int fd, uint32_t index)
{
	uint64_t raw[VT_SNAP_BUF / 8] = {};
	struct vfio_region_info *info = (void *)raw;

	info->argsz = sizeof(raw);
	info->index = index;
	r->ret = ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info) ? -errno : 0;
	if (r->ret)
		return;
	r->size = info->size;
	r->flags = info->flags;
	if (info->flags & VFIO_REGION_INFO_FLAG_CAPS)
		vt_snap_walk_caps(&r->caps, (void *)raw, sizeof(raw),
				  info->cap_offset);
}

static void vt_snap_irq(struct vt_snap_irq *q, int fd, uint32_t index)
{
	struct vfio_irq_info info;

	q->ret = __vt_irq_info(fd, index, &info);
	if (q->ret)
		return;
	q->flags = info.flags;
	q->count = info.count;
}

/*
 * Read the config region a dword at a time, falling back to single bytes
 * where a dword fails, so one refused byte does not hide its neighbours.
 */
static void vt_snap_config(struct vt_snapshot *s, int fd)
{
	const struct vt_snap_region *r = &s->region[VFIO_PCI_CONFIG_REGION_INDEX];
	uint64_t base = (uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40;
	uint32_t off, i;

	if (r->ret || !r->size)
		return;
	s->cfg_size = r->size > VT_CFG_MAX ? VT_CFG_MAX : r->size;
	for (off = 0; off < s->cfg_size; off += 4) {
		if (pread(fd, s->cfg + off, 4, base + off) == 4) {
			memset(s->cfg_ok + off, 1, 4);
			continue;
		}
		for (i = off; i < off + 4; i++)
			s->cfg_ok[i] = pread(fd, s->cfg + i, 1, base + i) == 1;
	}
}

static void vt_snap_hwconfig(struct vt_snapshot *s)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", s->bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = pread(fd, s->hw, VT_CFG_MAX, 0);
	close(fd);
	if (n <= 0)
		return;
	s->hw_size = n;
	memset(s->hw_ok, 1, n);
}

/*
 * Write @p->wrote to a virtualized register, read it back, restore it.
 * Only registers upstream keeps entirely virtual: nothing reaches the
 * device through the kernel's vfio-pci.
 */
static void vt_snap_probe_one(struct vt_snapshot *s, int fd, uint32_t off,
			      uint32_t width, uint32_t wrote)
{
	uint64_t pos = ((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40) + off;
	struct vt_snap_probe *p = &s->probe[s->nprobes++];
	uint32_t orig = 0, val = 0;
	ssize_t n;

	p->off = off;
	p->width = width;
	if (pread(fd, &orig, width, pos) != (ssize_t)width)
		orig = 0;
	if (!wrote)
		wrote = ~orig & (width == 4 ? 0xffffffff : 0xff);
	p->wrote = wrote;
	n = pwrite(fd, &wrote, width, pos);
	p->write_ret = n < 0 ? -errno : n;
	n = pread(fd, &val, width, pos);
	p->read_ret = n < 0 ? -errno : n;
	p->readback = val;
	if (p->write_ret > 0 && pwrite(fd, &orig, width, pos) < 0)
		fprintf(stderr, "%s: restoring config 0x%x: %s\n", s->bdf, off,
			strerror(errno));
}

static void vt_snap_probes(struct vt_snapshot *s, int fd)
{
	uint32_t bar;

	if (s->cfg_size < 0x40)
		return;
	for (bar = 0; bar < 6; bar++)
		vt_snap_probe_one(s, fd, 0x10 + 4 * bar, 4, 0xffffffff);
	/* ROM sizing leaves the enable bit clear. */
	vt_snap_probe_one(s, fd, 0x30, 4, 0xfffff800);
	/* INTERRUPT_LINE: the complement of what is there. */
	vt_snap_probe_one(s, fd, 0x3c, 1, 0);
}

/* The fixed DMA_BUF requests, on the largest BAR region info reports. */
static void vt_snap_dmabuf(struct vt_snapshot *s, int devfd)
{
	uint32_t bar, big = 0;

	for (bar = 1; bar < 6; bar++) {
		if (!s->region[bar].ret &&
		    s->region[bar].size > s->region[big].size)
			big = bar;
	}
	for (s->ndmabuf = 0; s->ndmabuf < VT_DMABUF_CASES; s->ndmabuf++)
		s->dmabuf[s->ndmabuf] = vt_dma_buf_case(devfd, s->ndmabuf, big,
							s->region[big].size);
}

void vt_snapshot_take(struct vt_snapshot *s, const char *bdf, int devfd)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	snprintf(s->bdf, sizeof(s->bdf), "%s", bdf);
	vt_snap_info(s, devfd);
	for (i = 0; i < VT_SNAP_REGIONS; i++)
		vt_snap_region(&s->region[i], devfd, i);
	for (i = 0; i < VT_SNAP_IRQS; i++)
		vt_snap_irq(&s->irq[i], devfd, i);
	vt_snap_config(s, devfd);
	vt_snap_hwconfig(s);
	vt_snap_probes(s, devfd);
	vt_snap_dmabuf(s, devfd);
}

const char *vt_snap_caps_str(const struct vt_snap_caps *c, char *buf,
			     size_t len)
{
	size_t used = 0;
	int i;

	if (!c->n) {
		snprintf(buf, len, "-");
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < c->n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%u.%u",
				 i ? "," : "", c->id[i], c->version[i]);
	return buf;
}

static void vt_snap_write_bytes(FILE *f, const char *tag, uint32_t size,
				const uint8_t *b, const uint8_t *ok)
{
	uint32_t off, i;

	for (off = 0; off < size; off += 16) {
		fprintf(f, "%s %u 0x%03x ", tag, size, off);
		for (i = off; i < off + 16 && i < size; i++) {
			if (ok[i])
				fprintf(f, "%02x", b[i]);
			else
				fprintf(f, "--");
		}
		fprintf(f, "\n");
	}
}

int vt_snapshot_write(const struct vt_snapshot *s, FILE *f)
{
	char caps[128];
	int i;

	fprintf(f, "vt-snapshot 1\n");
	fprintf(f, "bdf %s\n", s->bdf);
	fprintf(f, "info %d 0x%x %u %u caps %s\n", s->info_ret, s->info_flags,
		s->num_regions, s->num_irqs,
		vt_snap_caps_str(&s->info_caps, caps, sizeof(caps)));
	for (i = 0; i < VT_SNAP_REGIONS; i++) {
		const struct vt_snap_region *r = &s->region[i];

		fprintf(f, "region %d %d 0x%llx 0x%x caps %s\n", i, r->ret,
			(unsigned long long)r->size, r->flags,
			vt_snap_caps_str(&r->caps, caps, sizeof(caps)));
	}
	for (i = 0; i < VT_SNAP_IRQS; i++)
		fprintf(f, "irq %d %d 0x%x %u\n", i, s->irq[i].ret,
			s->irq[i].flags, s->irq[i].count);
	vt_snap_write_bytes(f, "config", s->cfg_size, s->cfg, s->cfg_ok);
	vt_snap_write_bytes(f, "hwconfig", s->hw_size, s->hw, s->hw_ok);
	for (i = 0; i < s->nprobes; i++)
		fprintf(f, "probe 0x%02x %u 0x%08x %d %d 0x%08x\n",
			s->probe[i].off, s->probe[i].width, s->probe[i].wrote,
			s->probe[i].write_ret, s->probe[i].read_ret,
			s->probe[i].readback);
	for (i = 0; i < s->ndmabuf; i++)
		fprintf(f, "dmabuf %d %d\n", i, s->dmabuf[i]);
	fprintf(f, "end\n");
	return ferror(f) ? -EIO : 0;
}

int vt_snapshot_save(const struct vt_snapshot *s, const char *path)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = vt_snapshot_write(s, f);
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static int vt_snap_parse_caps(struct vt_snap_caps *c, const char *str)
{
	unsigned int id, version;
	const char *p = str;
	int n;

	c->n = 0;
	if (!strcmp(str, "-"))
		return 0;
	while (*p && c->n < VT_SNAP_MAX_CAPS) {
		if (sscanf(p, "%u.%u%n", &id, &version, &n) != 2)
			return -EINVAL;
		c->id[c->n] = id;
		c->version[c->n] = version;
		c->n++;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int vt_snap_parse_bytes(const char *line, uint32_t *size, uint8_t *b,
			       uint8_t *ok)
{
	unsigned int sz, off, v;
	const char *p;
	int n;

	if (sscanf(line, "%u %x %n", &sz, &off, &n) != 2 || sz > VT_CFG_MAX ||
	    off >= sz)
		return -EINVAL;
	*size = sz;
	for (p = line + n; off < sz && p[0] && p[1] && p[0] != '\n';
	     p += 2, off++) {
		if (p[0] == '-') {
			ok[off] = 0;
			continue;
		}
		if (sscanf(p, "%2x", &v) != 1)
			return -EINVAL;
		b[off] = v;
		ok[off] = 1;
	}
	return 0;
}

int vt_snapshot_load(struct vt_snapshot *s, const char *path)
{
	char line[512], caps[256];
	bool ended = false;
	int ret = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f) || strcmp(line, "vt-snapshot 1\n")) {
		fclose(f);
		return -EINVAL;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		unsigned long long size;
		unsigned int a, b, c;
		int idx, r;

		if (!strncmp(line, "bdf ", 4)) {
			if (sscanf(line + 4, "%15s", s->bdf) != 1)
				ret = -EINVAL;
		} else if (!strncmp(line, "info ", 5)) {
			if (sscanf(line + 5, "%d %x %u %u caps %255s", &r, &a,
				   &b, &c, caps) != 5) {
				ret = -EINVAL;
				break;
			}
			s->info_ret = r;
			s->info_flags = a;
			s->num_regions = b;
			s->num_irqs = c;
			ret = vt_snap_parse_caps(&s->info_caps, caps);
		} else if (!strncmp(line, "region ", 7)) {
			if (sscanf(line + 7, "%d %d %llx %x caps %255s", &idx,
				   &r, &size, &a, caps) != 5 ||
			    idx < 0 || idx >= VT_SNAP_REGIONS) {
				ret = -EINVAL;
				break;
			}
			s->region[idx].ret = r;
			s->region[idx].size = size;
			s->region[idx].flags = a;
			ret = vt_snap_parse_caps(&s->region[idx].caps, caps);
		} else if (!strncmp(line, "irq ", 4)) {
			if (sscanf(line + 4, "%d %d %x %u", &idx, &r, &a,
				   &b) != 4 || idx < 0 || idx >= VT_SNAP_IRQS) {
				ret = -EINVAL;
				break;
			}
			s->irq[idx].ret = r;
			s->irq[idx].flags = a;
			s->irq[idx].count = b;
		} else if (!strncmp(line, "config ", 7)) {
			ret = vt_snap_parse_bytes(line + 7, &s->cfg_size,
						  s->cfg, s->cfg_ok);
		} else if (!strncmp(line, "hwconfig ", 9)) {
			ret = vt_snap_parse_bytes(line + 9, &s->hw_size,
						  s->hw, s->hw_ok);
		} else if (!strncmp(line, "probe ", 6)) {
			struct vt_snap_probe *p = &s->probe[s->nprobes];

			if (s->nprobes >= VT_SNAP_PROBES ||
			    sscanf(line + 6, "%x %u %x %d %d %x", &p->off,
				   &p->width, &p->wrote, &p->write_ret,
				   &p->read_ret, &p->readback) != 6) {
				ret = -EINVAL;
				break;
			}
			s->nprobes++;
		} else if (!strncmp(line, "dmabuf ", 7)) {
			int idx, r;

			if (sscanf(line + 7, "%d %d", &idx, &r) != 2 ||
			    idx != s->ndmabuf || idx >= VT_DMABUF_CASES) {
				ret = -EINVAL;
				break;
			}
			s->dmabuf[s->ndmabuf++] = r;
		} else if (!strcmp(line, "end\n")) {
			ended = true;
			break;
		} else {
			ret = -EINVAL;
		}
	}
	fclose(f);
	if (!ret && !ended)
		ret = -EINVAL;	/* truncated */
	return ret;
}
