// Encoding and decoding of the worker protocol's messages (protocol.h).
#include "protocol/protocol.h"

#include <cstring>
#include <type_traits>
#include <utility>

namespace gtest_parallel {
namespace internal {
namespace {

// Appends to a string through a small local buffer: a message is a few
// dozen bytes, mostly one-byte varints, written once per test event.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  ~Writer() { Flush(); }

  void Byte(uint8_t value) {
    Room(1);
    buffer_[used_++] = static_cast<char>(value);
  }
  void Varint(uint64_t value) {
    Room(10);
    while (value >= 0x80) {
      buffer_[used_++] = static_cast<char>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    buffer_[used_++] = static_cast<char>(value);
  }
  void Signed(int64_t value) {
    Varint((static_cast<uint64_t>(value) << 1) ^
           static_cast<uint64_t>(value >> 63));
  }
  void String(const std::string& value) {
    Varint(value.size());
    if (value.size() > sizeof(buffer_) - used_) {
      Flush();
      out_->append(value);
      return;
    }
    std::memcpy(buffer_ + used_, value.data(), value.size());
    used_ += value.size();
  }
  void Flush() {
    out_->append(buffer_, used_);
    used_ = 0;
  }

  // One field of a message, by its type (Reader::Get reads it back).
  void Put(bool value) { Byte(value ? 1 : 0); }
  void Put(int value) { Signed(value); }
  void Put(int64_t value) { Signed(value); }
  void Put(uint64_t value) { Varint(value); }
  void Put(Scope value) { Byte(static_cast<uint8_t>(value)); }
  void Put(const std::string& value) { String(value); }
  void Put(const Property& property) {
    String(property.key);
    String(property.value);
  }
  void Put(const Part& part) {
    Signed(part.type);
    Put(part.has_file);
    String(part.file);
    Signed(part.line);
    String(part.message);
  }
  void Put(const std::optional<int>& value) {
    Put(value.has_value());
    if (value) Signed(*value);
  }
  template <typename T>
  void Put(const std::vector<T>& values) {
    Varint(values.size());
    for (const T& value : values) Put(value);
  }

 private:
  void Room(size_t bytes) {
    if (used_ + bytes > sizeof(buffer_)) Flush();
  }

  std::string* out_;
  char buffer_[256];
  size_t used_ = 0;
};

// Bounds-checked reading of one message payload.
class Reader {
 public:
  Reader(const char* data, size_t size) : data_(data), end_(data + size) {}

  bool Varint(uint64_t* value) {
    *value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (data_ == end_) return false;
      const uint8_t byte = static_cast<uint8_t>(*data_++);
      *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  bool Signed(int64_t* value) {
    uint64_t raw;
    if (!Varint(&raw)) return false;
    *value = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
    return true;
  }
  bool Count(size_t* count) {
    uint64_t raw;
    if (!Varint(&raw) || raw > static_cast<uint64_t>(end_ - data_)) {
      return false;  // Every element takes at least one byte.
    }
    *count = static_cast<size_t>(raw);
    return true;
  }
  bool Byte(uint8_t* value) {
    if (data_ == end_) return false;
    *value = static_cast<uint8_t>(*data_++);
    return true;
  }
  bool AtEnd() const { return data_ == end_; }

  // One field of a message, as Writer::Put wrote it; false when malformed.
  bool Get(bool* value) {
    uint8_t byte;
    if (!Byte(&byte) || byte > 1) return false;
    *value = byte == 1;
    return true;
  }
  bool Get(int* value) {
    int64_t wide;
    if (!Signed(&wide)) return false;
    *value = static_cast<int>(wide);
    return static_cast<int64_t>(*value) == wide;
  }
  bool Get(int64_t* value) { return Signed(value); }
  bool Get(uint64_t* value) { return Varint(value); }
  bool Get(Scope* value) {
    uint8_t byte;
    if (!Byte(&byte) || byte > static_cast<uint8_t>(Scope::kExit)) {
      return false;
    }
    *value = static_cast<Scope>(byte);
    return true;
  }
  bool Get(std::string* value) {
    size_t size;
    if (!Count(&size)) return false;
    value->assign(data_, size);
    data_ += size;
    return true;
  }
  bool Get(Property* property) {
    return Get(&property->key) && Get(&property->value);
  }
  bool Get(Part* part) {
    return Get(&part->type) && Get(&part->has_file) && Get(&part->file) &&
           Get(&part->line) && Get(&part->message);
  }
  bool Get(std::optional<int>* value) {
    bool present;
    if (!Get(&present)) return false;
    if (!present) {
      value->reset();
      return true;
    }
    int number;
    if (!Get(&number)) return false;
    *value = number;
    return true;
  }
  template <typename T>
  bool Get(std::vector<T>* values) {
    size_t count;
    if (!Count(&count)) return false;
    values->resize(count);  // Keeps what a reused message had allocated.
    for (T& value : *values) {
      if (!Get(&value)) return false;
    }
    return true;
  }

 private:
  const char* data_;
  const char* end_;
};

// Reads a message of type M into `message`, a fresh one or one of the same
// type decoded before.
template <typename M>
bool GetBody(Reader* in, M* message) {
  if constexpr (std::is_same_v<M, Hello>) {
    // The rest of a Hello of another version may have another shape: its
    // version is all that is read.
    Reader peek = *in;
    int32_t version;
    if (!peek.Get(&version)) return false;
    if (version != kProtocolVersion) {
      *message = Hello();
      message->version = version;
      return true;
    }
  }
  return std::apply([in](auto&... field) { return (in->Get(&field) && ...); },
                    M::Tie(*message)) &&
         in->AtEnd();
}

// Decodes the body whose type tag is `type`, trying the alternatives of
// MessageBody from the I-th on; false for an unknown tag.
template <size_t I = 0>
bool GetBodyOfType(uint8_t type, Reader* in, MessageBody* body) {
  if constexpr (I == std::variant_size_v<MessageBody>) {
    return false;
  } else {
    using M = std::variant_alternative_t<I, MessageBody>;
    if (type != static_cast<uint8_t>(M::kType)) {
      return GetBodyOfType<I + 1>(type, in, body);
    }
    // Decoding into the message decoded before reuses its buffers.
    M* message = std::get_if<M>(body);
    if (message == nullptr) message = &body->template emplace<M>();
    return GetBody(in, message);
  }
}

bool DecodePayload(const char* data, size_t size, Message* message) {
  Reader in(data, size);
  uint8_t type;
  return in.Byte(&type) && in.Signed(&message->offset) &&
         GetBodyOfType(type, &in, &message->body);
}

}  // namespace

std::string VersionMismatch(int32_t version) {
  if (version == kProtocolVersion) return "";
  return "speaks protocol version " + std::to_string(version) +
         ", the coordinator version " + std::to_string(kProtocolVersion) +
         " (is it another build of the program?)";
}

void Encode(const Message& message, std::string* out) {
  const size_t start = out->size();
  {
    Writer writer(out);
    for (int i = 0; i < 4; ++i) writer.Byte(0);  // The size, set below.
    std::visit(
        [&](const auto& body) {
          writer.Byte(static_cast<uint8_t>(body.kType));
          writer.Signed(message.offset);
          std::apply([&](const auto&... field) { (writer.Put(field), ...); },
                     body.Tie(body));
        },
        message.body);
  }
  const uint32_t size = static_cast<uint32_t>(out->size() - start - 4);
  for (int i = 0; i < 4; ++i) {
    (*out)[start + i] = static_cast<char>((size >> (8 * i)) & 0xff);
  }
}

void Decoder::Feed(const char* data, size_t size) {
  if (!error_.empty()) return;
  if (offset_ > 0 && offset_ >= buffer_.size() / 2) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  buffer_.append(data, size);
}

bool Decoder::Next(Message* message) {
  if (!error_.empty() || pending() < 4) return false;
  const auto* head =
      reinterpret_cast<const unsigned char*>(buffer_.data() + offset_);
  const uint32_t size = head[0] | (head[1] << 8) | (head[2] << 16) |
                        (static_cast<uint32_t>(head[3]) << 24);
  if (size > kMaxMessageBytes) {
    error_ = "a message of " + std::to_string(size) +
             " bytes, more than the limit of " +
             std::to_string(kMaxMessageBytes);
    return false;
  }
  if (pending() < 4 + static_cast<size_t>(size)) return false;
  // DecodePayload sets every field.
  if (!DecodePayload(buffer_.data() + offset_ + 4, size, message)) {
    error_ = "a malformed message of " + std::to_string(size) + " bytes";
    return false;
  }
  offset_ += 4 + size;
  return true;
}

}  // namespace internal
}  // namespace gtest_parallel
