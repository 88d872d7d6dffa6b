# SPDX-License-Identifier: GPL-2.0
#
# vfio-pci-core out of tree.
#
#   make                 build the modules against KDIR (default: the test kernel)
#   make install         install them under /lib/modules/<ver>/updates, depmod
#   make run             boot the test VM and drive the emulated devices
#   make check           provision, build, boot the VM, run every suite
#   make soak            fuzz every device for SOAK_MINUTES (default 10) minutes
#
# KDIR defaults to the VM rig's cached Linux 7.3 build (built on first use).
# On a real host: make KDIR=/lib/modules/$(uname -r)/build

export VFIO_PCI_CORE_ROOT := $(CURDIR)

ifeq ($(origin KDIR),undefined)
KDIR = $(eval KDIR := $(shell $(CURDIR)/tools/testing/vm/build-kernel.sh))$(KDIR)
endif

W ?=

.PHONY: all modules install clean selftests run check lint soak

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a \
		$(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null)

selftests:
	$(MAKE) -C tools/testing/selftests/vfio KDIR=$(KDIR)

run:
	tools/testing/vm/run.sh run

check:
	tools/testing/vm/check.sh

soak:
	tools/testing/vm/soak.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C tools/testing/selftests/vfio clean
	rm -rf build
