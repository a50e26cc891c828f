// A value or a readable error, for core functions that parse untrusted text (C++20 has no std::expected).
// Deliberately small: has_value / value / error, and implicit construction from either side.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace irqd::core {

// What went wrong, so that callers map errors to answers without reading the message: bad input,
// a state that makes the request impossible now, or something not there yet (try again later).
enum class error_kind { invalid, unprocessable, unavailable };

struct error {
    std::string message;
    error_kind kind = error_kind::invalid;
};

template <class T>
class result {
public:
    result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    result(error e) : v_(std::in_place_index<1>, std::move(e)) {}

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const std::string& error_message() const { return std::get<1>(v_).message; }
    error_kind kind() const { return std::get<1>(v_).kind; }

private:
    std::variant<T, error> v_;
};

}  // namespace irqd::core
