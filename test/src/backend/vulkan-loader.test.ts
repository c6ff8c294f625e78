import { describe, expect, it } from 'vitest';
import { hasVulkanLoader } from '../../../src/backend/vulkan-loader.ts';

const none = () => false;
const emptyCache = () => Buffer.from('libEGL.so.1\0libc.so.6\0');

describe('hasVulkanLoader', () => {
  it('finds libvulkan.so.1 in a system directory, on LD_LIBRARY_PATH, or in the linker cache', () => {
    expect(hasVulkanLoader({}, { platform: 'linux', exists: (f) => f === '/usr/lib/x86_64-linux-gnu/libvulkan.so.1', readCache: emptyCache })).toBe(true);
    expect(
      hasVulkanLoader({ LD_LIBRARY_PATH: '/opt/a::/opt/vk' }, { platform: 'linux', exists: (f) => f === '/opt/vk/libvulkan.so.1', readCache: emptyCache }),
    ).toBe(true);
    expect(
      hasVulkanLoader({}, { platform: 'linux', exists: none, readCache: () => Buffer.from('libc.so.6\0libvulkan.so.1\0/usr/lib/x/libvulkan.so.1\0') }),
    ).toBe(true);
  });

  it('says no where none of them has it, or the cache cannot be read', () => {
    expect(hasVulkanLoader({ LD_LIBRARY_PATH: '/opt/a' }, { platform: 'linux', exists: none, readCache: emptyCache })).toBe(false);
    expect(
      hasVulkanLoader(
        {},
        {
          platform: 'linux',
          exists: none,
          readCache: () => {
            throw new Error('ENOENT');
          },
        },
      ),
    ).toBe(false);
    // libvulkan.so (the development link) is not the loader Dawn opens
    expect(hasVulkanLoader({}, { platform: 'linux', exists: (f) => f.endsWith('/libvulkan.so'), readCache: () => Buffer.from('libvulkan.so\0') })).toBe(false);
  });

  it('is not asked off Linux (Dawn uses Metal or D3D there)', () => {
    expect(hasVulkanLoader({}, { platform: 'darwin', exists: none, readCache: emptyCache })).toBe(true);
  });
});
