namespace PerfSage.Graph.Export;

/// <summary>The random streams of generated constants: one <see cref="SplitMix64"/> per (seed, tensor, purpose), so
/// generated weights are a pure function of (graph, seed) on every runtime.</summary>
internal static class ExportRandom
{
    /// <summary>A stream for one purpose: the seed, a stream id (a tensor id) and a salt are mixed so that
    /// neighbouring ids give unrelated streams.</summary>
    public static SplitMix64 ForStream(int seed, int id, ulong salt)
    {
        ulong s = SplitMix64.Mix((ulong)(uint)seed ^ (salt * 0xD6E8FEB86659FD93UL));
        s = SplitMix64.Mix(s ^ ((ulong)(uint)id * SplitMix64.Gamma));
        return new SplitMix64(s);
    }
}
