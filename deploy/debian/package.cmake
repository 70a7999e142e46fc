# The Debian package, `make deb` (docs/operations.md). CPack's DEB generator
# packs what the install rules install from the Release tree already built:
# no second build (a cold one is about 12 minutes on two cores), and no
# second list of files to keep in step with the install rules: whatever
# `cmake --install` installs (the console's static files included, when they
# exist) is in the package. What a debian/ directory would add (debhelper's
# maintainer-script snippets, dh_strip, dh_shlibdeps) is done here: the
# scripts below, CPACK_STRIP_FILES and CPACK_DEBIAN_PACKAGE_SHLIBDEPS.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME xiaoerd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Set the real one when packaging for shops: -DXIAOER_PACKAGE_MAINTAINER=….
set(XIAOER_PACKAGE_MAINTAINER "xiaoer maintainers <xiaoer@example.com>" CACHE STRING
    "Maintainer of the Debian package (name <address>)")
set(CPACK_PACKAGE_CONTACT "${XIAOER_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "auto-reply daemon for online shops' customer-service chats")
set(CPACK_PACKAGE_DESCRIPTION
    "xiaoerd answers buyers' questions in a shop's customer-service chats\n\
(Taobao, Tmall, Pinduoduo, JD) over a websocket from the shop's chat\n\
gateway: it recognises what a buyer wants with RE2 patterns kept in YAML\n\
intent files under /etc/xiaoer/intents, replies from templates, and hands\n\
what it cannot settle to a journalled queue of human agents.")
# Packages land under /usr; /etc/xiaoer is absolute in the install rules,
# so the files are staged under DESTDIR (CPACK_SET_DESTDIR).
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps computes the libraries' packages; deb-systemd-helper and
# deb-systemd-invoke (the maintainer scripts) come from init-system-helpers.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# Every file under /etc/xiaoer is a conffile: an upgrade keeps a local edit
# (dpkg asks when the package changed the same file).
file(GLOB XIAOER_SHIPPED_INTENTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/intents/*.yaml)
set(XIAOER_CONFFILES "/etc/xiaoer/xiaoerd.yaml\n/etc/xiaoer/shop.yaml\n/etc/xiaoer/canned.yaml\n")
foreach(intent IN LISTS XIAOER_SHIPPED_INTENTS)
  get_filename_component(name ${intent} NAME)
  string(APPEND XIAOER_CONFFILES "/etc/xiaoer/intents/${name}\n")
endforeach()
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles "${XIAOER_CONFFILES}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles
    ${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian/postrm)

# What Debian policy asks of every package: the copyright, a changelog and
# a manual page (gzip -9n, as dh_installchangelogs and dh_installman do),
# and the lintian overrides (each says why).
set(XIAOER_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/xiaoerd)
configure_file(deploy/debian/changelog.in ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog @ONLY)
foreach(pair IN ITEMS "debian/changelog:debian/changelog.gz" "${CMAKE_CURRENT_SOURCE_DIR}/deploy/xiaoerd.1:debian/xiaoerd.1.gz")
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${to}
                     COMMAND gzip -9nc ${from} > ${CMAKE_CURRENT_BINARY_DIR}/${to}
                     DEPENDS ${from} WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  list(APPEND XIAOER_GZIPPED ${CMAKE_CURRENT_BINARY_DIR}/${to})
endforeach()
add_custom_target(xiaoer_gzipped_docs ALL DEPENDS ${XIAOER_GZIPPED})
install(FILES deploy/debian/copyright ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog.gz DESTINATION ${XIAOER_DOC_DIR})
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/debian/xiaoerd.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES deploy/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        RENAME xiaoerd)

include(CPack)
