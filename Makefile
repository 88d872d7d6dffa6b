# SPDX-License-Identifier: GPL-2.0
#
# vfio-pci-core out of tree.
#
#   make                 build the modules against KDIR (default: the test kernel)
#   make install         install the product modules under /lib/modules/<ver>/updates,
#                        vfio-pci-bind under /usr/local/sbin, the modprobe.d
#                        rules; depmod (INSTALL_MOD_PATH=DIR stages all of it
#                        under DIR)
#   make uninstall       remove what make install put there; the kernel's own
#                        vfio-pci is the one modprobe finds again
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

.PHONY: all modules install uninstall clean selftests run check lint soak

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) modules

# What gets installed is the product: the test-only variants are left out of
# the build (VFIO_PCI_CORE_TESTS=n), so modules.order lists only the modules
# dkms.conf lists.
KRELEASE = $(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null)
HOOK = $(CURDIR)/tools/admin/vfio-pci-core-hook

install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) VFIO_PCI_CORE_TESTS=n modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) VFIO_PCI_CORE_TESTS=n \
		INSTALL_MOD_DIR=updates DEPMOD=true modules_install
	$(HOOK) install $(KRELEASE) $(INSTALL_MOD_PATH)/lib/modules

uninstall:
	$(HOOK) uninstall $(KRELEASE) $(INSTALL_MOD_PATH)/lib/modules

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
