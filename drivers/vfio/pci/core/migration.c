// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the migration state machine (VFIO_DEVICE_FEATURE_MIGRATION,
 * _MIG_DEVICE_STATE, _MIG_DATA_SIZE).
 *
 * The core owns the state, the walk through intermediate states and the data
 * files; a variant only says how to stop, start, save and load its device
 * (struct vfio_pci_core_mig_ops).  The path between two states comes from
 * vfio_mig_get_next_state(), so each step below is one arc of the uAPI's
 * diagram.  A step that fails leaves the device in ERROR.
 *
 * Reset: see the lock rule in migration.h.  Whoever changes the state holds
 * state_lock; a reset never waits for it.
 */
#include <linux/file.h>

#include "private.h"

/* The arcs each step function serves, as one number per (from, to). */
#define MIG_ARC(from, to)	((from) * VFIO_DEVICE_STATE_NR + (to))

static int vfio_pci_core_mig_call(struct vfio_pci_core_device *core,
				  int (*fn)(struct vfio_pci_core_device *))
{
	return fn ? fn(core) : 0;
}

static void vfio_pci_core_mig_drop_files(struct vfio_pci_core_mig *mig,
					 int err)
{
	struct vfio_pci_mig_stream *save, *resume;

	spin_lock(&mig->reset_lock);
	save = mig->save;
	resume = mig->resume;
	mig->save = NULL;
	mig->resume = NULL;
	spin_unlock(&mig->reset_lock);

	if (save)
		vfio_pci_mig_file_drop(save, err);
	if (resume)
		vfio_pci_mig_file_drop(resume, err);
}

/*
 * A session is over: the core's own helpers (the DMA shadow, the replay log)
 * forget what it held, before the variant hears of it.
 */
static void vfio_pci_core_mig_helpers_end(struct vfio_pci_core_device *core)
{
	vfio_pci_dma_shadow_reset(core);
	vfio_pci_replay_reset(core);
}

/* The device was reset: it runs again and old sessions are void. */
static void vfio_pci_core_mig_apply_reset(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;

	mig->state = VFIO_DEVICE_STATE_RUNNING;
	WRITE_ONCE(mig->stopped, false);
	vfio_pci_core_mig_drop_files(mig, -ENODEV);
	vfio_pci_core_mig_helpers_end(core);
	if (mig->ops->reset)
		mig->ops->reset(core);
}

/* A failed arc or producer, or the variant's abort: ERROR, files dead. */
void vfio_pci_core_mig_fail(struct vfio_pci_core_device *core, int err)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;

	lockdep_assert_held(&mig->state_lock);
	mig->state = VFIO_DEVICE_STATE_ERROR;
	vfio_pci_core_mig_drop_files(mig, err);
}

/*
 * Apply one event that arrived while someone held state_lock: an abort
 * first, then a reset (so a reset pending with an abort wins).  Returns
 * whether there was one.
 */
static bool vfio_pci_core_mig_apply_one(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;
	bool reset;
	int err;

	spin_lock(&mig->reset_lock);
	err = mig->abort_err;
	mig->abort_err = 0;
	reset = !err && mig->reset_pending;
	if (reset)
		mig->reset_pending = false;
	spin_unlock(&mig->reset_lock);

	if (err)
		vfio_pci_core_mig_fail(core, err);
	else if (reset)
		vfio_pci_core_mig_apply_reset(core);
	return err || reset;
}

static void vfio_pci_core_mig_apply_pending(struct vfio_pci_core_device *core)
{
	while (vfio_pci_core_mig_apply_one(core))
		;
}

void vfio_pci_core_mig_lock(struct vfio_pci_core_device *core)
{
	mutex_lock(&core->priv->mig.state_lock);
	vfio_pci_core_mig_apply_pending(core);
}

bool vfio_pci_core_mig_trylock(struct vfio_pci_core_device *core)
{
	if (!mutex_trylock(&core->priv->mig.state_lock))
		return false;
	vfio_pci_core_mig_apply_pending(core);
	return true;
}

/*
 * The final check and the unlock happen under reset_lock, so a reset either
 * is seen here or finds the mutex free in vfio_pci_core_mig_reset_notify().
 */
void vfio_pci_core_mig_unlock(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;

	for (;;) {
		spin_lock(&mig->reset_lock);
		if (!mig->reset_pending && !mig->abort_err)
			break;
		spin_unlock(&mig->reset_lock);
		vfio_pci_core_mig_apply_one(core);
	}
	mutex_unlock(&mig->state_lock);
	spin_unlock(&mig->reset_lock);
}

/*
 * Record an event (a reset, or the variant's abort with @err) for the
 * state_lock holder, or apply it now when nobody holds the lock.
 */
static void vfio_pci_core_mig_post(struct vfio_pci_core_device *core, int err)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;

	if (!mig->ops)
		return;

	spin_lock(&mig->reset_lock);
	if (err)
		mig->abort_err = err;
	else
		mig->reset_pending = true;
	spin_unlock(&mig->reset_lock);

	/* Busy: the holder sees the event when it unlocks. */
	if (!mutex_trylock(&mig->state_lock))
		return;
	vfio_pci_core_mig_unlock(core);
}

void vfio_pci_core_mig_reset_notify(struct vfio_pci_core_device *core)
{
	vfio_pci_core_mig_post(core, 0);
}

void vfio_pci_core_mig_abort(struct vfio_pci_core_device *core, int err)
{
	if (err >= 0 || err < -MAX_ERRNO)
		err = -EIO;
	vfio_pci_core_mig_post(core, err);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_mig_abort);

/* Open a new data file of the saving group and fill its first data. */
static struct file *vfio_pci_core_mig_begin_save(struct vfio_pci_core_device *core,
						 bool precopy)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;
	struct vfio_pci_mig_stream *s;
	int ret;

	s = vfio_pci_mig_file_new(core, true);
	if (IS_ERR(s))
		return ERR_CAST(s);

	ret = vfio_pci_mig_file_begin_save(s, precopy);
	if (ret) {
		vfio_pci_mig_file_drop(s, -ENODEV);
		return ERR_PTR(ret);
	}

	spin_lock(&mig->reset_lock);
	mig->save = s;
	spin_unlock(&mig->reset_lock);
	/* One reference for the user's fd; the core keeps its own. */
	return get_file(vfio_pci_mig_file_filp(s));
}

static struct file *vfio_pci_core_mig_begin_resume(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;
	struct vfio_pci_mig_stream *s;

	s = vfio_pci_mig_file_new(core, false);
	if (IS_ERR(s))
		return ERR_CAST(s);

	spin_lock(&mig->reset_lock);
	mig->resume = s;
	spin_unlock(&mig->reset_lock);
	return get_file(vfio_pci_mig_file_filp(s));
}

/* RESUMING -> STOP: the written stream becomes the device's state. */
static int vfio_pci_core_mig_end_resume(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;
	int ret;

	ret = vfio_pci_mig_file_end_load(mig->resume);
	vfio_pci_core_mig_drop_files(mig, -ENODEV);
	return ret;
}

/*
 * Stopped from before .stop on: a trap that takes the lock .stop takes
 * sees it once .stop holds that lock, so no write it forwards lands after.
 */
static int vfio_pci_core_mig_stop(struct vfio_pci_core_device *core)
{
	WRITE_ONCE(core->priv->mig.stopped, true);
	return core->priv->mig.ops->stop(core);
}

bool vfio_pci_core_mig_stopped(struct vfio_pci_core_device *core)
{
	return READ_ONCE(core->priv->mig.stopped);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_mig_stopped);

/*
 * One arc.  Returns the new data file for the arcs that open a session, NULL
 * for the others, or an ERR_PTR.
 */
static struct file *vfio_pci_core_mig_step(struct vfio_pci_core_device *core,
					   enum vfio_device_mig_state from,
					   enum vfio_device_mig_state to)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;
	const struct vfio_pci_core_mig_ops *ops = mig->ops;
	int ret;

	switch (MIG_ARC(from, to)) {
	case MIG_ARC(VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_RUNNING_P2P):
	case MIG_ARC(VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P):
		ret = vfio_pci_core_mig_call(core, ops->p2p_quiesce);
		break;
	case MIG_ARC(VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_RUNNING):
	case MIG_ARC(VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_PRE_COPY):
		ret = vfio_pci_core_mig_call(core, ops->p2p_resume);
		break;
	case MIG_ARC(VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_STOP):
		ret = vfio_pci_core_mig_stop(core);
		break;
	case MIG_ARC(VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING_P2P):
		ret = ops->start(core);
		/* Not before: writes the variant drops until it has started. */
		if (!ret)
			WRITE_ONCE(mig->stopped, false);
		break;
	case MIG_ARC(VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_STOP_COPY):
		return vfio_pci_core_mig_begin_save(core, false);
	case MIG_ARC(VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_PRE_COPY):
	case MIG_ARC(VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_PRE_COPY_P2P):
		return vfio_pci_core_mig_begin_save(core, true);
	case MIG_ARC(VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_STOP_COPY):
		/* Same session: stop the device; the reader gets the rest. */
		ret = vfio_pci_core_mig_stop(core);
		if (!ret)
			vfio_pci_mig_file_stop_copy(mig->save);
		break;
	case MIG_ARC(VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_RUNNING):
	case MIG_ARC(VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_RUNNING_P2P):
	case MIG_ARC(VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP):
		vfio_pci_core_mig_drop_files(mig, -ENODEV);
		vfio_pci_core_mig_helpers_end(core);
		if (ops->save_end)
			ops->save_end(core);
		ret = 0;
		break;
	case MIG_ARC(VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RESUMING):
		return vfio_pci_core_mig_begin_resume(core);
	case MIG_ARC(VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_STOP):
		ret = vfio_pci_core_mig_end_resume(core);
		break;
	default:
		/* vfio_mig_get_next_state() produces no other arc. */
		ret = -EINVAL;
		break;
	}
	return ret ? ERR_PTR(ret) : NULL;
}

static struct file *
vfio_pci_core_migration_set_state(struct vfio_device *vdev,
				  enum vfio_device_mig_state new_state)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	struct vfio_pci_core_mig *mig = &core->priv->mig;
	enum vfio_device_mig_state next;
	struct file *filp = NULL;
	int ret;

	/* ERROR is where a failure leads, never a target, not even from ERROR. */
	if (new_state == VFIO_DEVICE_STATE_ERROR ||
	    new_state >= VFIO_DEVICE_STATE_NR)
		return ERR_PTR(-EINVAL);

	vfio_pci_core_mig_lock(core);
	/* Only a reset leaves ERROR (vfio_mig_get_next_state() would WARN). */
	if (mig->state == VFIO_DEVICE_STATE_ERROR)
		filp = ERR_PTR(-EINVAL);
	while (!IS_ERR(filp) && mig->state != new_state) {
		/* Unknown and unsupported targets fail here, unchanged. */
		ret = vfio_mig_get_next_state(vdev, mig->state, new_state,
					      &next);
		if (ret) {
			filp = ERR_PTR(ret);
			break;
		}
		filp = vfio_pci_core_mig_step(core, mig->state, next);
		if (IS_ERR(filp)) {
			vfio_pci_core_mig_fail(core, -ENODEV);
			break;
		}
		mig->state = next;
		/* Only the last arc of a walk may open a session. */
		if (WARN_ON(filp && next != new_state)) {
			fput(filp);
			filp = ERR_PTR(-EINVAL);
			vfio_pci_core_mig_fail(core, -ENODEV);
			break;
		}
	}
	vfio_pci_core_mig_unlock(core);
	return filp;
}

static int vfio_pci_core_migration_get_state(struct vfio_device *vdev,
					     enum vfio_device_mig_state *state)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);

	/* Locking applies a reset that is still pending. */
	vfio_pci_core_mig_lock(core);
	*state = core->priv->mig.state;
	vfio_pci_core_mig_unlock(core);
	return 0;
}

static int vfio_pci_core_migration_get_data_size(struct vfio_device *vdev,
						 unsigned long *stop_copy_length)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	const struct vfio_pci_core_mig_ops *ops = core->priv->mig.ops;
	u64 bytes = ops->record_max ?: VFIO_PCI_MIG_RECORD_MAX;
	int ret = 0;

	vfio_pci_core_mig_lock(core);
	if (ops->stop_copy_size)
		ret = ops->stop_copy_size(core, &bytes);
	vfio_pci_core_mig_unlock(core);
	if (ret)
		return ret;
	*stop_copy_length = min_t(u64, vfio_pci_mig_file_stream_bytes(ops, bytes),
				  ULONG_MAX);
	return 0;
}

static const struct vfio_migration_ops vfio_pci_core_mig_vfio_ops = {
	.migration_set_state	 = vfio_pci_core_migration_set_state,
	.migration_get_state	 = vfio_pci_core_migration_get_state,
	.migration_get_data_size = vfio_pci_core_migration_get_data_size,
};

int vfio_pci_core_migration_init(struct vfio_pci_core_device *core,
				 const struct vfio_pci_core_mig_ops *ops)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;

	if (vfio_pci_core_declare_refused(core))
		return -EBUSY;
	if (!ops || !ops->stop || !ops->start || !ops->load ||
	    (!ops->save && !ops->precopy) ||
	    ops->record_max > VFIO_PCI_MIG_RECORD_MAX)
		return -EINVAL;

	mig->ops = ops;
	core->vdev.mig_ops = &vfio_pci_core_mig_vfio_ops;
	core->vdev.migration_flags = VFIO_MIGRATION_STOP_COPY |
				     VFIO_MIGRATION_P2P;
	if (ops->precopy)
		core->vdev.migration_flags |= VFIO_MIGRATION_PRE_COPY;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_migration_init);

/* Registration: mig_ops of ours need the variant's ops behind them. */
int vfio_pci_core_mig_check(struct vfio_pci_core_device *core)
{
	struct vfio_device *vdev = &core->vdev;

	if (vdev->mig_ops == &vfio_pci_core_mig_vfio_ops && !core->priv->mig.ops)
		return -EINVAL;
	if (vdev->mig_ops && !(vdev->migration_flags & VFIO_MIGRATION_STOP_COPY))
		return -EINVAL;
	return 0;
}

void vfio_pci_core_mig_setup(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;

	mutex_init(&mig->state_lock);
	spin_lock_init(&mig->reset_lock);
	mig->state = VFIO_DEVICE_STATE_RUNNING;
}

void vfio_pci_core_mig_open(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;

	if (!mig->ops)
		return;
	vfio_pci_core_mig_lock(core);
	spin_lock(&mig->reset_lock);
	mig->reset_pending = false;
	mig->abort_err = 0;
	spin_unlock(&mig->reset_lock);
	vfio_pci_core_mig_apply_reset(core);
	vfio_pci_core_mig_unlock(core);
}

void vfio_pci_core_mig_close(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_mig *mig = &core->priv->mig;

	if (!mig->ops)
		return;
	/* Files may outlive the device's fd: they stop working here. */
	vfio_pci_core_mig_lock(core);
	vfio_pci_core_mig_apply_reset(core);
	vfio_pci_core_mig_unlock(core);
}
