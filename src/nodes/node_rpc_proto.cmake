# Included by src/nodes and by fuzz/ (which builds only the parsers), so both get the target
# parley_node_rpc_proto.
# Our own RPC schema, generated the same way as src/proto (a plain custom command, src/ as the
# import root, so the header is included as "nodes/node_rpc.pb.h").
if(TARGET protobuf::protoc)
  set(PARLEY_NODES_PROTOC protobuf::protoc)
else()
  set(PARLEY_NODES_PROTOC ${Protobuf_PROTOC_EXECUTABLE})
endif()
set(PARLEY_NODES_PROTO_OUT ${CMAKE_CURRENT_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${PARLEY_NODES_PROTO_OUT}/nodes)
add_custom_command(
  OUTPUT ${PARLEY_NODES_PROTO_OUT}/nodes/node_rpc.pb.cc ${PARLEY_NODES_PROTO_OUT}/nodes/node_rpc.pb.h
  COMMAND ${PARLEY_NODES_PROTOC}
    --proto_path=${PROJECT_SOURCE_DIR}/src
    --cpp_out=${PARLEY_NODES_PROTO_OUT}
    nodes/node_rpc.proto
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/src
  DEPENDS ${PROJECT_SOURCE_DIR}/src/nodes/node_rpc.proto ${PARLEY_NODES_PROTOC}
  COMMENT "Generating C++ from the node-to-node RPC schema"
  VERBATIM)
add_library(parley_node_rpc_proto STATIC ${PARLEY_NODES_PROTO_OUT}/nodes/node_rpc.pb.cc)
target_include_directories(parley_node_rpc_proto SYSTEM PUBLIC ${PARLEY_NODES_PROTO_OUT})
target_link_libraries(parley_node_rpc_proto PUBLIC protobuf::libprotobuf)
target_compile_options(parley_node_rpc_proto PRIVATE -w)

