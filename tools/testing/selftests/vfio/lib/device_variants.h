/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One fixture variant per emulated device, for a test that runs on all of
 * them.  Define VT_VARIANT_FIXTURE to the fixture's name, then include this
 * after kselftest_harness.h and after FIXTURE(name):
 *
 *	#define VT_VARIANT_FIXTURE config
 *	#include "lib/device_variants.h"
 *
 * The variant carries the device's vendor and device IDs.
 */
#ifndef VT_VARIANT_FIXTURE
#error "define VT_VARIANT_FIXTURE before including device_variants.h"
#endif

/* The harness pastes its arguments: expand VT_VARIANT_FIXTURE first. */
#define VT_VARIANT_(f)			FIXTURE_VARIANT(f)
#define VT_VARIANT_ADD_(f, name)	FIXTURE_VARIANT_ADD(f, name)

VT_VARIANT_(VT_VARIANT_FIXTURE) {
	uint16_t vendor;
	uint16_t device;
};

#define VT_ADD_VARIANT(name, ven, dev)				\
	VT_VARIANT_ADD_(VT_VARIANT_FIXTURE, name) {		\
		.vendor = ven,					\
		.device = dev,					\
	};
VT_DEVICES(VT_ADD_VARIANT)
#undef VT_ADD_VARIANT
#undef VT_VARIANT_ADD_
#undef VT_VARIANT_
#undef VT_VARIANT_FIXTURE
