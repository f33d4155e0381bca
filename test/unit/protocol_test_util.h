// Helpers of the worker protocol's unit tests (protocol_test.cc,
// protocol_decoder_test.cc): encoding and decoding in one call, and frames
// built byte by byte, to make ones Encode() never would.
#ifndef GTEST_PARALLEL_TEST_UNIT_PROTOCOL_TEST_UTIL_H_
#define GTEST_PARALLEL_TEST_UNIT_PROTOCOL_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/protocol.h"

namespace gtest_parallel {
namespace internal {

// How gtest shows a message: its type tag, offset and encoding.
inline void PrintTo(const Message& message, std::ostream* os) {
  std::string bytes;
  Encode(message, &bytes);
  *os << "{type " << static_cast<int>(TypeOf(message)) << ", offset "
      << message.offset << ", " << bytes.size() << " bytes:";
  for (unsigned char c : bytes) *os << ' ' << static_cast<int>(c);
  *os << '}';
}

// A string literal with its embedded NUL bytes, without the terminating one.
template <size_t N>
std::string Bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// Every byte value once, NUL included.
inline std::string AllBytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  return bytes;
}

template <size_t... I>
MessageBody DefaultOf(size_t index, std::index_sequence<I...>) {
  MessageBody body;
  ((index == I ? (void)body.template emplace<I>() : (void)0), ...);
  return body;
}

// A default-constructed message body of the index-th type of MessageBody.
inline MessageBody DefaultOf(size_t index) {
  return DefaultOf(
      index, std::make_index_sequence<std::variant_size_v<MessageBody>>());
}

inline std::string Encoded(const Message& message) {
  std::string bytes;
  Encode(message, &bytes);
  return bytes;
}

// Feeds `bytes` at once and returns every message decoded.
inline std::vector<Message> DecodeAll(Decoder* decoder,
                                      const std::string& bytes) {
  decoder->Feed(bytes.data(), bytes.size());
  std::vector<Message> messages;
  Message message;
  while (decoder->Next(&message)) messages.push_back(message);
  return messages;
}

// `message` encoded and decoded again.
inline Message RoundTrip(const Message& message) {
  Decoder decoder;
  const std::vector<Message> decoded = DecodeAll(&decoder, Encoded(message));
  EXPECT_EQ(decoder.error(), "");
  EXPECT_EQ(decoder.pending(), 0u);
  EXPECT_EQ(decoded.size(), 1u);
  return decoded.empty() ? Message() : decoded[0];
}

// The 4-byte little-endian length prefix of a frame.
inline std::string LengthPrefix(uint32_t size) {
  std::string prefix;
  for (int i = 0; i < 4; ++i) {
    prefix.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  }
  return prefix;
}

// `payload` framed with its own length.
inline std::string Frame(const std::string& payload) {
  return LengthPrefix(static_cast<uint32_t>(payload.size())) + payload;
}

// Builds payloads field by field: a type tag, the offset, then the fields.
class Payload {
 public:
  Payload& Byte(int value) {
    bytes_.push_back(static_cast<char>(value));
    return *this;
  }
  Payload& Varint(uint64_t value) {
    while (value >= 0x80) {
      bytes_.push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    return Byte(static_cast<int>(value));
  }
  Payload& Signed(int64_t value) {
    return Varint((static_cast<uint64_t>(value) << 1) ^
                  static_cast<uint64_t>(value >> 63));
  }
  Payload& String(const std::string& value) {
    Varint(value.size());
    bytes_ += value;
    return *this;
  }
  // A part with empty file and message.
  Payload& PartFields(int64_t type, int has_file, int64_t line) {
    return Signed(type).Byte(has_file).String("").Signed(line).String("");
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// Expects `bytes` to decode to nothing but an error.
inline void ExpectMalformed(const std::string& bytes) {
  Decoder decoder;
  const std::vector<Message> decoded = DecodeAll(&decoder, bytes);
  EXPECT_TRUE(decoded.empty());
  EXPECT_NE(decoder.error(), "");
}

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_TEST_UNIT_PROTOCOL_TEST_UTIL_H_
