# Installs deploy/xiaoerd.service with ExecStart= naming the binary where
# this install puts it (CMakeLists.txt sets the XIAOER_* variables; runs
# inside cmake_install.cmake, where CMAKE_INSTALL_PREFIX is this install's).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(unit_dir "/lib/systemd/system")
else()
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(XIAOER_DAEMON "${CMAKE_INSTALL_PREFIX}/${XIAOER_BINDIR}/xiaoerd")
configure_file("${XIAOER_UNIT_TEMPLATE}" "${XIAOER_UNIT_STAGED}" @ONLY)
file(INSTALL DESTINATION "${unit_dir}" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
     FILES "${XIAOER_UNIT_STAGED}")
