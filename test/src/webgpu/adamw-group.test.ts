import { describe, expect, it } from 'vitest';
import { adamwGroupSlots, adamwGroupWgsl, groupLayout, TABLE_WORDS } from '../../../src/webgpu/adamw-group.ts';
import { WORKGROUP } from '../../../src/webgpu/fused.ts';

describe('AdamW over several parameters a dispatch', () => {
  it('fits as many parameters as the storage-buffer limit leaves room for (3 each, 3 shared)', () => {
    expect(adamwGroupSlots(16)).toBe(4);
    expect(adamwGroupSlots(10)).toBe(2);
    expect(adamwGroupSlots(8)).toBe(1);
    expect(adamwGroupSlots(4)).toBe(1); // never zero: one parameter a dispatch, as before
  });

  it('lays workgroups out slot after slot, each slot from its own first workgroup', () => {
    const { table, workgroups } = groupLayout([1, WORKGROUP, WORKGROUP + 1], [0, 7, 300], [true, false, true]);
    expect(Array.from(table)).toEqual([0, 1, 0, 1, 1, WORKGROUP, 7, 0, 2, WORKGROUP + 1, 300, 1]);
    expect(table.length).toBe(3 * TABLE_WORDS);
    expect(workgroups).toBe(1 + 1 + 2);
  });

  it('binds each slot apart from the locals (a binding named like a local cannot be indexed)', () => {
    const wgsl = adamwGroupWgsl(4);
    for (let s = 0; s < 4; s++)
      for (const name of [`param${s}`, `first${s}`, `second${s}`]) expect(wgsl).toContain(`var<storage, read_write> ${name}: array<f32>`);
    expect(wgsl).not.toMatch(/var<storage, read_write> (p|m|v)1:/);
    expect(wgsl).toContain(`@binding(${3 + 3 * 4})`);
    expect(wgsl).not.toContain(`@binding(${4 + 3 * 4})`);
  });
});
