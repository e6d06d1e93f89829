// SPDX-License-Identifier: MIT
#pragma once

#include <hdf5.h>
#include <utility>

namespace bitlens {

// Owns one HDF5 identifier (file, group, dataset, attribute, type, space, property list) and
// closes it with the matching H5?close function. Move-only; an invalid handle (id < 0) owns
// nothing, so a failed H5?open can be wrapped and tested with valid().
class Hdf5Handle {
public:
    using CloseFunction = herr_t (*)(hid_t);

    Hdf5Handle() = default;
    Hdf5Handle(hid_t id, CloseFunction close) : id_(id), close_(close) {}
    ~Hdf5Handle() { reset(); }
    Hdf5Handle(Hdf5Handle&& other) noexcept
        : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
    Hdf5Handle& operator=(Hdf5Handle&& other) noexcept {
        if (this != &other) {
            reset();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
            close_ = other.close_;
        }
        return *this;
    }
    Hdf5Handle(const Hdf5Handle&) = delete;
    Hdf5Handle& operator=(const Hdf5Handle&) = delete;

    bool valid() const { return id_ >= 0; }
    hid_t get() const { return id_; }

private:
    void reset() noexcept {
        if (id_ >= 0 && close_)
            close_(id_);
        id_ = H5I_INVALID_HID;
    }

    hid_t id_ = H5I_INVALID_HID;
    CloseFunction close_ = nullptr;
};

} // namespace bitlens
