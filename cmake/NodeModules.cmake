# SPDX-License-Identifier: GPL-3.0-or-later
# npm packages the project uses (AsyncAPI JSON Schemas, interop peers) are installed
# by scripts/install-deps into tools/node/node_modules, which git ignores.
set(GATEHOUSE_NODE_DIR "${PROJECT_SOURCE_DIR}/tools/node" CACHE PATH
    "Folder whose node_modules holds the npm packages Gatehouse uses")
set(GATEHOUSE_ASYNCAPI_SPECS_DIR "${GATEHOUSE_NODE_DIR}/node_modules/@asyncapi/specs/schemas")
if(NOT EXISTS "${GATEHOUSE_ASYNCAPI_SPECS_DIR}")
    message(WARNING "AsyncAPI JSON Schemas not found in ${GATEHOUSE_ASYNCAPI_SPECS_DIR}; "
                    "run scripts/install-deps. Structural validation will be unavailable.")
endif()
find_program(NODE_EXECUTABLE node)
