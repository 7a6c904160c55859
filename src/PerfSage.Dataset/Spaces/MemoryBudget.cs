using PerfSage.Graph;

namespace PerfSage.Dataset.Spaces;

/// <summary>
/// The memory a space's samples must fit: the working-memory peak (<see cref="ArenaPlanner"/>'s arena
/// head, <see cref="ArenaPlan.PeakBytes"/>), the constant bytes stored with the model
/// (<see cref="OpGraph.ConstantBytes"/>: weights, biases and small shape constants, each once) and their sum.
/// </summary>
/// <param name="Name">A short name for messages and the documentation.</param>
/// <param name="ArenaBytes">Largest arena head.</param>
/// <param name="ConstantBytes">Largest constant (flash) bytes.</param>
/// <param name="TotalBytes">Largest arena + constants.</param>
/// <param name="Source">Where the numbers come from.</param>
public sealed record MemoryBudget(string Name, long ArenaBytes, long ConstantBytes, long TotalBytes, string Source)
{
    /// <summary>
    /// Cortex-M / Ethos-U boards: the STM32F767ZI (512 KB SRAM, 2 MB flash; MicroNets Table 1,
    /// TARGETS.md §5), less headroom: 64 KiB of SRAM for TFLM's persistent tail (≈24 B per tensor, ≈56 B
    /// per op, per-channel OpData; TARGETS.md §2.1), stack and application, and 256 KiB of flash for the
    /// runtime and kernels (16 KB core runtime, TFLM README) plus the flatbuffer's own overhead.
    /// </summary>
    public static MemoryBudget Microcontroller { get; } = new("mcu-512k", 448 * 1024, 1792 * 1024, 2240 * 1024,
        "STM32F767ZI: 512 KB SRAM − 64 KiB (TFLM tail, stack, app), 2 MB flash − 256 KiB (runtime, kernels, file overhead)");

    /// <summary>Mobile GPUs and CPUs (TFLite GPU delegate): arena plus weights within 100 MB (10^8 bytes) of
    /// the phone's shared DRAM, the share an app can count on.</summary>
    public static MemoryBudget MobileGpu { get; } = new("gpu-100m", 100_000_000, 100_000_000, 100_000_000,
        "mobile GPU / CPU: arena + weights ≤ 100 MB of shared LPDDR");

    /// <summary>True when a graph with these sizes fits.</summary>
    public bool Admits(long arenaBytes, long constantBytes) =>
        arenaBytes <= ArenaBytes && constantBytes <= ConstantBytes && arenaBytes + constantBytes <= TotalBytes;
}
