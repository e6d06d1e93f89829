// SPDX-License-Identifier: MIT
#include "VulkanInstance.h"

#include "NoVulkanDevice.h"
#include "VulkanError.h"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace bitlens {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool layerInstalled(const char* name) {
    uint32_t count = 0;
    vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> layers(count);
    vkEnumerateInstanceLayerProperties(&count, layers.data());
    for (const VkLayerProperties& layer : layers)
        if (std::strcmp(layer.layerName, name) == 0)
            return true;
    return false;
}

VKAPI_ATTR VkBool32 VKAPI_CALL onDebugMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                              VkDebugUtilsMessageTypeFlagsEXT,
                                              const VkDebugUtilsMessengerCallbackDataEXT* data,
                                              void* user) {
    static_cast<std::atomic<uint64_t>*>(user)->fetch_add(1);
    const char* level =
        (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "error" : "warning";
    std::cerr << "bitlens: Vulkan validation " << level << ": "
              << (data && data->pMessage ? data->pMessage : "(no message)") << "\n";
    return VK_FALSE;
}

} // namespace

bool vulkanValidationRequested() {
#ifdef BITLENS_VULKAN_VALIDATION
    return true;
#else
    const char* value = std::getenv("BITLENS_VULKAN_VALIDATION");
    return value && std::string(value) == "1";
#endif
}

VulkanInstance::VulkanInstance(bool validation) {
    VkApplicationInfo application{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    application.pApplicationName = "BitLens";
    application.pEngineName = "BitLens";
    application.apiVersion = VK_API_VERSION_1_2;

    const bool withLayers = validation && layerInstalled(kValidationLayer);
    if (validation && !withLayers)
        std::cerr << "bitlens: Vulkan validation requested but " << kValidationLayer
                  << " is not installed (package vulkan-validationlayers); running without it\n";

    VkDebugUtilsMessengerCreateInfoEXT messengerInfo{
        VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    messengerInfo.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                                    VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messengerInfo.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messengerInfo.pfnUserCallback = onDebugMessage;
    messengerInfo.pUserData = &messages_;

    const char* layers[] = {kValidationLayer};
    const char* extensions[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pApplicationInfo = &application;
    if (withLayers) {
        info.enabledLayerCount = 1;
        info.ppEnabledLayerNames = layers;
        info.enabledExtensionCount = 1;
        info.ppEnabledExtensionNames = extensions;
        info.pNext = &messengerInfo; // also reports problems of vkCreate/DestroyInstance
    }
    const VkResult result = vkCreateInstance(&info, nullptr, &instance_);
    if (result != VK_SUCCESS)
        throw NoVulkanDevice("vkCreateInstance failed: " + std::string(vulkanResultName(result)) +
                             " (no Vulkan driver installed?)");
    if (withLayers) {
        auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
        if (!create || create(instance_, &messengerInfo, nullptr, &messenger_) != VK_SUCCESS) {
            vkDestroyInstance(instance_, nullptr);
            throwVulkanError("vkCreateDebugUtilsMessengerEXT", VK_ERROR_EXTENSION_NOT_PRESENT,
                             __FILE__, __LINE__);
        }
    }
}

VulkanInstance::~VulkanInstance() {
    if (messenger_ != VK_NULL_HANDLE) {
        auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
        if (destroy)
            destroy(instance_, messenger_, nullptr);
    }
    vkDestroyInstance(instance_, nullptr);
}

std::vector<VkPhysicalDevice> VulkanInstance::physicalDevices() const {
    uint32_t count = 0;
    BITLENS_VK_CHECK(vkEnumeratePhysicalDevices(instance_, &count, nullptr));
    std::vector<VkPhysicalDevice> devices(count);
    BITLENS_VK_CHECK(vkEnumeratePhysicalDevices(instance_, &count, devices.data()));
    devices.resize(count);
    return devices;
}

} // namespace bitlens
