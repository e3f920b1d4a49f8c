# SPDX-License-Identifier: GPL-3.0-or-later
# tst_mainwindow also runs the gatehouse executable (--help, --version, usage errors).
if(TARGET tst_mainwindow AND TARGET gatehouse)
    add_dependencies(tst_mainwindow gatehouse)
endif()

# tst_packaging (tests/core) checks the icon PNGs that packaging/ renders.
if(TARGET tst_packaging AND TARGET gatehouse_icons)
    add_dependencies(tst_packaging gatehouse_icons)
endif()

# tst_debpackage (tests/integration) runs cpack, which installs what these build.
if(TARGET tst_debpackage)
    foreach(_target gatehouse gatehouse-cli gatehouse_icons)
        if(TARGET ${_target})
            add_dependencies(tst_debpackage ${_target})
        endif()
    endforeach()
endif()

# The window with a locked keychain: its own keyring session (locked by the test), so
# the suites that share the main session's keyring are not affected.
if(TARGET tst_keychainmissing)
    add_test(NAME tst_keychainlocked
        COMMAND env -u GATEHOUSE_IN_KEYRING_SESSION GATEHOUSE_TEST_KEYCHAIN_LOCKED=1
            "${PROJECT_SOURCE_DIR}/scripts/with-keychain" $<TARGET_FILE:tst_keychainmissing>)
    set_tests_properties(tst_keychainlocked PROPERTIES LABELS ui TIMEOUT 180
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;GATEHOUSE_TEST=1")
endif()
