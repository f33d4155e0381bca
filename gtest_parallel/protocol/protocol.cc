// Encoding, decoding and output-marker parsing for the worker protocol.
#include "protocol/protocol.h"

#include <cstring>

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
  template <typename Int>
  bool Small(Int* value) {
    int64_t wide;
    if (!Signed(&wide)) return false;
    *value = static_cast<Int>(wide);
    return static_cast<int64_t>(*value) == wide;
  }
  bool Count(size_t* count) {
    uint64_t raw;
    if (!Varint(&raw) || raw > static_cast<uint64_t>(end_ - data_)) {
      return false;  // Every element takes at least one byte.
    }
    *count = static_cast<size_t>(raw);
    return true;
  }
  bool String(std::string* value) {
    size_t size;
    if (!Count(&size)) return false;
    if (size == 0) {
      value->clear();  // Most are empty: no copy to set up.
      return true;
    }
    value->assign(data_, size);
    data_ += size;
    return true;
  }
  bool Byte(uint8_t* value) {
    if (data_ == end_) return false;
    *value = static_cast<uint8_t>(*data_++);
    return true;
  }
  bool AtEnd() const { return data_ == end_; }
  size_t Rest() const { return static_cast<size_t>(end_ - data_); }
  const char* data() const { return data_; }

 private:
  const char* data_;
  const char* end_;
};

// How Encode writes everything after the ids when the part, the properties
// and the text are all as in Message(): part type 0, no file, file "", line
// -1, message "", no properties, text "". Most messages end so, and are
// decoded by a shortcut.
constexpr char kDefaultTail[] = {0, 0, 0, 1, 0, 0, 0};

bool KnownType(uint8_t type) {
  return (type >= static_cast<uint8_t>(MessageType::kHello) &&
          type <= static_cast<uint8_t>(MessageType::kIterationEnd)) ||
         (type >= static_cast<uint8_t>(MessageType::kConfig) &&
          type <= static_cast<uint8_t>(MessageType::kDone));
}

bool DecodePayload(const char* data, size_t size, Message* message) {
  Reader in(data, size);
  uint8_t type, has_file;
  size_t count;
  if (!in.Byte(&type) || !KnownType(type) || !in.Signed(&message->offset) ||
      !in.Signed(&message->id) || !in.Signed(&message->a) ||
      !in.Signed(&message->b) || !in.Count(&count)) {
    return false;
  }
  message->type = static_cast<MessageType>(type);
  message->ids.resize(count);
  for (int32_t& id : message->ids) {
    if (!in.Small(&id)) return false;
  }
  Part& part = message->part;
  if (in.Rest() == sizeof(kDefaultTail) &&
      std::memcmp(in.data(), kDefaultTail, sizeof(kDefaultTail)) == 0) {
    part = Part();
    message->props.clear();
    message->text.clear();
    return true;
  }
  if (!in.Small(&part.type) || !in.Byte(&has_file) || has_file > 1 ||
      !in.String(&part.file) || !in.Small(&part.line) ||
      !in.String(&part.message) || !in.Count(&count)) {
    return false;
  }
  part.has_file = has_file == 1;
  message->props.resize(count);
  for (Property& property : message->props) {
    if (!in.String(&property.key) || !in.String(&property.value)) return false;
  }
  return in.String(&message->text) && in.AtEnd();
}

}  // namespace

void Encode(const Message& message, std::string* out) {
  const size_t start = out->size();
  {
    Writer writer(out);
    for (int i = 0; i < 4; ++i) writer.Byte(0);  // The size, set below.
    writer.Byte(static_cast<uint8_t>(message.type));
    writer.Signed(message.offset);
    writer.Signed(message.id);
    writer.Signed(message.a);
    writer.Signed(message.b);
    writer.Varint(message.ids.size());
    for (int32_t id : message.ids) writer.Signed(id);
    writer.Signed(message.part.type);
    writer.Byte(message.part.has_file ? 1 : 0);
    writer.String(message.part.file);
    writer.Signed(message.part.line);
    writer.String(message.part.message);
    writer.Varint(message.props.size());
    for (const Property& property : message.props) {
      writer.String(property.key);
      writer.String(property.value);
    }
    writer.String(message.text);
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
