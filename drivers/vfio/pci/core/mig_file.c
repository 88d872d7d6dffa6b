// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: migration data files, the file itself.
 *
 * A data file is an anonymous inode opened for streaming: read() on the file
 * of the saving states (mig_save.c), write() on the file of RESUMING
 * (mig_load.c), no positioned I/O (-ESPIPE) and no seeking.  Every call takes
 * the migration state lock and then the file's lock, so the variant's
 * callbacks always run under the state lock, and with O_NONBLOCK a call that
 * would wait for either lock returns -EAGAIN instead.
 *
 * A file stops working when the state machine leaves its session, on reset
 * and at the device's last close (-ENODEV), or when the variant aborts the
 * session (its errno); the file keeps a reference on the device and on the
 * driver's module, so it may outlive both.  poll() reports a dead file as
 * EPOLLERR | EPOLLHUP.
 *
 * /proc/<pid>/fdinfo/<fd> shows the bytes moved and the kernel memory the
 * file holds now and at most, as the core counts its own allocations, then
 * the device's migration state and the file's errno.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>

#include "mig_file.h"

int vfio_pci_mig_file_lock(struct vfio_pci_mig_stream *s, bool nonblock)
{
	if (!nonblock) {
		vfio_pci_core_mig_lock(s->core);
		mutex_lock(&s->lock);
		return 0;
	}
	if (!vfio_pci_core_mig_trylock(s->core))
		return -EAGAIN;
	if (!mutex_trylock(&s->lock)) {
		vfio_pci_core_mig_unlock(s->core);
		return -EAGAIN;
	}
	return 0;
}

void vfio_pci_mig_file_unlock(struct vfio_pci_mig_stream *s)
{
	mutex_unlock(&s->lock);
	vfio_pci_core_mig_unlock(s->core);
}

/*
 * The start of a read() or write(): 0 with both locks held, or the errno of
 * the call (positioned I/O, a lock busy under O_NONBLOCK, a dead session).
 */
int vfio_pci_mig_file_enter(struct file *filp, loff_t *ppos)
{
	struct vfio_pci_mig_stream *s = filp->private_data;
	int ret;

	if (ppos)
		return -ESPIPE;
	ret = vfio_pci_mig_file_lock(s, filp->f_flags & O_NONBLOCK);
	if (ret)
		return ret;
	ret = READ_ONCE(s->error);
	if (ret)
		vfio_pci_mig_file_unlock(s);
	return ret;
}

/*
 * Make *@buf hold at least @need bytes (at most a record and its framing),
 * keeping its contents and counting what the file holds.  Returns the
 * buffer, or NULL (and *@buf unchanged) when out of memory.
 */
void *vfio_pci_mig_file_grow(struct vfio_pci_mig_stream *s, u8 **buf,
			     size_t *cap, size_t need)
{
	size_t want = max(need, min_t(size_t, 2 * *cap, VFIO_PCI_MIG_BUF_MAX));
	u8 *p;

	lockdep_assert_held(&s->lock);
	if (need <= *cap)
		return *buf;
	p = kvrealloc(*buf, want, GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	s->mem += want - *cap;
	s->mem_peak = max(s->mem_peak, s->mem);
	*buf = p;
	*cap = want;
	return p;
}

/*
 * A producer failed while saving: the session is over and the device goes to
 * ERROR.  Called with the state lock held.
 */
void vfio_pci_mig_file_fail(struct vfio_pci_mig_stream *s, int err)
{
	vfio_pci_core_mig_fail(s->core, err);
}

static __poll_t vfio_pci_mig_poll(struct file *filp,
				  struct poll_table_struct *wait)
{
	struct vfio_pci_mig_stream *s = filp->private_data;
	__poll_t mask = 0;

	poll_wait(filp, &s->wait, wait);
	if (READ_ONCE(s->error))
		return EPOLLERR | EPOLLHUP;
	if (!s->saving)
		return EPOLLOUT | EPOLLWRNORM;

	/*
	 * Readable unless at the temporary end of a pre-copy pass.  Lock-free,
	 * so that poll() never waits for a long read(): a wake-up follows
	 * every change that makes the file readable.
	 */
	if (READ_ONCE(s->phase) != VFIO_PCI_MIG_PRECOPY ||
	    READ_ONCE(s->pass_open) || READ_ONCE(s->pos) < READ_ONCE(s->len))
		mask = EPOLLIN | EPOLLRDNORM;
	return mask;
}

static long vfio_pci_mig_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	struct vfio_pci_mig_stream *s = filp->private_data;

	if (cmd != VFIO_MIG_GET_PRECOPY_INFO)
		return -ENOTTY;
	if (!s->saving)
		return -EINVAL;
	return vfio_pci_mig_precopy_info(s, (void __user *)arg);
}

/*
 * Where the device's state machine is now (enum vfio_device_mig_state) and
 * this file's errno (0 while its session is current): how a test sees, from
 * outside the VMM that holds the file, that the device sits in PRE_COPY or
 * that a reset voided the session.  Read without the state lock.
 */
static void vfio_pci_mig_show_state(struct seq_file *m,
				    struct vfio_pci_mig_stream *s)
{
	seq_printf(m, "vfio-mig-device-state:\t%u\n",
		   READ_ONCE(s->core->priv->mig.state));
	seq_printf(m, "vfio-mig-file-error:\t%d\n", READ_ONCE(s->error));
}

static void vfio_pci_mig_show_fdinfo(struct seq_file *m, struct file *filp)
{
	struct vfio_pci_mig_stream *s = filp->private_data;

	/* Counters, read without the lock a long read() or write() holds. */
	seq_printf(m, "vfio-mig-bytes:\t%llu\n", READ_ONCE(s->bytes));
	seq_printf(m, "vfio-mig-kernel-mem:\t%zu\n", READ_ONCE(s->mem));
	seq_printf(m, "vfio-mig-kernel-mem-peak:\t%zu\n",
		   READ_ONCE(s->mem_peak));
	vfio_pci_mig_show_state(m, s);
}

static void vfio_pci_mig_free(struct vfio_pci_mig_stream *s)
{
	struct module *owner = s->owner;

	kvfree(s->payload);
	kvfree(s->buf);
	mutex_destroy(&s->lock);
	vfio_put_device(&s->core->vdev);
	kfree(s);
	module_put(owner);
}

static int vfio_pci_mig_release(struct inode *inode, struct file *filp)
{
	vfio_pci_mig_free(filp->private_data);
	return 0;
}

static const struct file_operations vfio_pci_mig_fops = {
	.owner		= THIS_MODULE,
	.read		= vfio_pci_mig_read,
	.write		= vfio_pci_mig_write,
	.poll		= vfio_pci_mig_poll,
	.unlocked_ioctl	= vfio_pci_mig_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= vfio_pci_mig_show_fdinfo,
	.release	= vfio_pci_mig_release,
};

struct vfio_pci_mig_stream *
vfio_pci_mig_file_new(struct vfio_pci_core_device *core, bool saving)
{
	struct vfio_pci_mig_stream *s;
	struct file *filp;

	s = kzalloc_obj(*s, GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	mutex_init(&s->lock);
	init_waitqueue_head(&s->wait);
	s->core = core;
	s->saving = saving;
	s->mem = sizeof(*s);
	s->mem_peak = s->mem;
	/* Both are dropped by vfio_pci_mig_free(). */
	get_device(&core->vdev.device);
	s->owner = core->vdev.dev->driver->owner;
	__module_get(s->owner);

	filp = anon_inode_getfile("[vfio-pci-mig]", &vfio_pci_mig_fops, s,
				  saving ? O_RDONLY : O_WRONLY);
	if (IS_ERR(filp)) {
		vfio_pci_mig_free(s);
		return ERR_CAST(filp);
	}
	stream_open(filp->f_inode, filp);
	s->filp = filp;
	return s;
}

struct file *vfio_pci_mig_file_filp(struct vfio_pci_mig_stream *s)
{
	return s->filp;
}

void vfio_pci_mig_file_drop(struct vfio_pci_mig_stream *s, int err)
{
	WRITE_ONCE(s->error, err);
	wake_up_all(&s->wait);
	fput(s->filp);
}
