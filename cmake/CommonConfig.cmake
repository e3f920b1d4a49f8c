# SPDX-License-Identifier: GPL-3.0-or-later
# Settings every Gatehouse target shares: link gatehouse_common_settings.
add_library(gatehouse_common_settings INTERFACE)
target_compile_features(gatehouse_common_settings INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_definitions(gatehouse_common_settings INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
    GATEHOUSE_VERSION="${PROJECT_VERSION}")
target_compile_options(gatehouse_common_settings INTERFACE
    -Wall -Wextra -Wpedantic
    $<$<BOOL:${GATEHOUSE_WERROR}>:-Werror>
    # GCC 12 reports -Wrestrict false positives inside std::string at -O2/-O3
    # (GCC bug 105329); they point at libstdc++, not at Gatehouse code.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
    # Value types carry default member initializers, so leaving trailing fields out
    # of a brace initializer is intended, not an oversight.
    -Wno-missing-field-initializers)
