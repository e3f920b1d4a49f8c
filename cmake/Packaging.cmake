# SPDX-License-Identifier: GPL-3.0-or-later
# `cpack` in the build directory makes a .deb of the `runtime` install component:
# both executables, the desktop entry, icons, AppStream metainfo, the samples and
# the schemas. Build everything first (cpack installs, it does not build).
set(CPACK_PACKAGE_NAME "gatehouse")
set(CPACK_PACKAGE_VENDOR "Gatehouse developers")
set(CPACK_PACKAGE_CONTACT "Gatehouse developers <gatehouse@localhost>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "Gatehouse is a desktop studio for WebSocket APIs described in AsyncAPI: design an
API, run it behind an embedded gateway with authentication, throttling and
logging, talk to it from client tabs and watch its traffic. gatehouse-cli runs
the same engine without a display.")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
# Only what users need: the runtime component, not development leftovers.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};runtime;/")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Plugins Qt loads at run time, which dpkg-shlibdeps cannot see.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6sql6-sqlite, libqt6svg6")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring")
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
include(CPack)
