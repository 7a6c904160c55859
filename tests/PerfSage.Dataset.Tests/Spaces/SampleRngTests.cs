using PerfSage.Dataset.Spaces;
using Xunit;

namespace PerfSage.Dataset.Tests;

public class SampleRngTests
{
    [Fact]
    public void SplitMix64_matches_the_reference_sequence_for_seed_zero()
    {
        // First outputs of Vigna's splitmix64.c with x = 0 (also java.util.SplittableRandom's mixer).
        var rng = new SampleRng(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, rng.NextUInt64());
    }

    [Fact]
    public void Name_hash_is_64_bit_fnv1a()
    {
        // FNV-1a test vectors (Fowler/Noll/Vo): "" is the offset basis, "a" and "foobar" from the reference suite.
        Assert.Equal(0xCBF29CE484222325UL, SampleRng.HashName(""));
        Assert.Equal(0xAF63DC4C8601EC8CUL, SampleRng.HashName("a"));
        Assert.Equal(0x85944171F73967E8UL, SampleRng.HashName("foobar"));
    }

    [Fact]
    public void Streams_differ_by_space_seed_index_and_attempt()
    {
        ulong First(string space, ulong seed, long index, int attempt) => SampleRng.For(space, seed, index, attempt).NextUInt64();
        ulong baseline = First("kws", 42, 7, 0);
        Assert.Equal(baseline, First("kws", 42, 7, 0));
        Assert.NotEqual(baseline, First("vww", 42, 7, 0));
        Assert.NotEqual(baseline, First("kws", 43, 7, 0));
        Assert.NotEqual(baseline, First("kws", 42, 8, 0));
        Assert.NotEqual(baseline, First("kws", 42, 7, 1));
    }

    [Fact]
    public void Next_covers_the_inclusive_range_about_evenly()
    {
        var rng = new SampleRng(12345);
        var counts = new int[6];
        for (int i = 0; i < 60_000; i++)
        {
            int v = rng.Next(1, 6);
            Assert.InRange(v, 1, 6);
            counts[v - 1]++;
        }
        // Each face expects 10,000; 5 standard deviations (≈ 456) is a generous band.
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Fact]
    public void Log_multiples_stay_on_the_grid_and_in_range()
    {
        var rng = new SampleRng(7);
        var seen = new HashSet<int>();
        for (int i = 0; i < 5_000; i++)
        {
            int v = rng.NextLogMultiple(16, 276, 4);
            Assert.InRange(v, 16, 276);
            Assert.Equal(0, v % 4);
            seen.Add(v);
        }
        Assert.Contains(16, seen);
        Assert.Contains(276, seen);
        // P(value) ∝ 1/value on the grid 16, 20, …, 276: P(value ≤ 66) = Σ_{v≤66} 1/v / Σ 1/v = 0.518
        // (summed with a separate script); 10,000 draws give 5,184 ± 50.
        int small = 0;
        rng = new SampleRng(8);
        for (int i = 0; i < 10_000; i++)
        {
            small += rng.NextLogMultiple(16, 276, 4) <= 66 ? 1 : 0;
        }
        Assert.InRange(small, 4_500, 5_500);
    }

    [Fact]
    public void Weighted_pick_follows_the_weights()
    {
        var rng = new SampleRng(99);
        string[] items = ["a", "b"];
        int a = 0;
        for (int i = 0; i < 10_000; i++)
        {
            a += rng.Pick(items, [0.8, 0.2]) == "a" ? 1 : 0;
        }
        Assert.InRange(a, 7_800, 8_200);
    }
}
