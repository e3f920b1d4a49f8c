# SPDX-License-Identifier: GPL-3.0-or-later
# tst_mainwindow also runs the gatehouse executable (--help, --version, usage errors).
if(TARGET tst_mainwindow AND TARGET gatehouse)
    add_dependencies(tst_mainwindow gatehouse)
endif()
