using Xunit;

namespace PerfSage.Core.Tests.Vocabulary;

public sealed class VocabularyTests
{
    [Fact]
    public void SplitMix64_gives_the_published_reference_outputs()
    {
        // Rosetta Code, "Pseudo-random numbers/Splitmix64": the first five outputs for seed 1234567.
        var rng = new SplitMix64(1234567);
        Assert.Equal(
            [6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL],
            [rng.Next(), rng.Next(), rng.Next(), rng.Next(), rng.Next()]);
        // Vigna's splitmix64.c seeded with 0: first output 0xE220A8397B1DCDAF.
        Assert.Equal(0xE220A8397B1DCDAFUL, new SplitMix64(0).Next());
    }

    [Fact]
    public void SplitMix64_doubles_fill_five_bins_as_published()
    {
        // Rosetta Code's second task: seed 987654321, 100,000 floats (next >> 11) / 2^53, counts of floor(5 f):
        // 0: 20027, 1: 19892, 2: 20073, 3: 19978, 4: 20030.
        var rng = new SplitMix64(987654321);
        int[] bins = new int[5];
        for (int i = 0; i < 100_000; i++)
        {
            bins[(int)(rng.NextDouble() * 5)]++;
        }
        Assert.Equal([20027, 19892, 20073, 19978, 20030], bins);
    }

    [Fact]
    public void SplitMix64_bounded_draws_stay_in_range_and_shuffle_is_a_permutation()
    {
        var rng = new SplitMix64(42);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.InRange(rng.NextInt(7), 0, 6);
            Assert.InRange(rng.NextInRange(-3, 3), -3, 3);
        }
        // Lemire's reduction of the first output for seed 1234567 into [0, 10): floor(6457827717110365317 * 10 / 2^64) = 3.
        Assert.Equal(3, new SplitMix64(1234567).NextInt(10));
        // Modulo reduction into [100, 109]: 100 + 6457827717110365317 mod 10 = 107.
        Assert.Equal(107, new SplitMix64(1234567).NextInRange(100, 109));
        int[] items = [.. Enumerable.Range(0, 50)];
        new SplitMix64(9).Shuffle(items);
        Assert.Equal(Enumerable.Range(0, 50), items.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), items);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitMix64(1).NextInt(0));
    }

    [Fact]
    public void Hashes_match_their_reference_values()
    {
        // FNV-1a 64 reference values (Fowler/Noll/Vo test suite): "", "a", "foobar".
        Assert.Equal(0xCBF29CE484222325UL, Hashing.Fnv1a64(""));
        Assert.Equal(0xAF63DC4C8601EC8CUL, Hashing.Fnv1a64("a"));
        Assert.Equal(0x85944171F73967E8UL, Hashing.Fnv1a64("foobar"));
        // SHA-256("abc") (FIPS 180-2, appendix B.1).
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hashing.Sha256Hex("abc"u8));
        Assert.Equal(0xBA7816BF8F01CFEAUL, Hashing.Sha256Prefix64("abc"));
        // Python: int.from_bytes(sha256(b"export:kws-s3-000001").digest()[:8], "big").
        Assert.Equal(0x1AF865D89BFF9B53UL, Hashing.Sha256Prefix64("export:kws-s3-000001"));
    }

    [Fact]
    public void The_split_rule_gives_the_values_worked_out_in_python()
    {
        // Python: u = (int.from_bytes(sha256(f"{seed}:{id}".encode()).digest()[:8], "big") >> 11) / 2**53;
        // u < 0.1 test, u < 0.2 val, else train. m0 0.9319, m2 0.0716, m5 0.1574, m9 0.1353; seed 7, m3: 0.1240.
        Assert.Equal(Split.Train, SplitRule.Assign("m0"));
        Assert.Equal(Split.Test, SplitRule.Assign("m2"));
        Assert.Equal(Split.Validation, SplitRule.Assign("m5"));
        Assert.Equal(Split.Validation, SplitRule.Assign("m9"));
        Assert.Equal(0.12401202654153809, SplitRule.Unit(7, "m3"), 15);
        Assert.Equal(Split.Validation, SplitRule.Assign("m3", seed: 7));
        Assert.Equal(Split.Train, SplitRule.Assign("m3", seed: 7, validationFraction: 0.01, testFraction: 0.1));
        int[] counts = new int[3];
        for (int i = 0; i < 10_000; i++)
        {
            counts[(int)SplitRule.Assign($"m{i}")]++;
        }
        // Python over m0..m9999: 8009 train, 998 val, 993 test.
        Assert.Equal([8009, 998, 993], counts);
        Assert.Equal("sha256-seed-id", SplitRule.Name);
        Assert.True(SplitRule.IsKnown("sha256-seed-id"));
        Assert.False(SplitRule.IsKnown("fnv-splitmix"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SplitRule.Assign("m0", 0, 0.6, 0.5));
    }

    [Fact]
    public void Metric_and_split_names_are_the_file_spellings()
    {
        Assert.Equal(["latency_ms", "energy_mj", "peak_ram_kb", "flash_kb"], MetricNames.All.Select(MetricNames.Name));
        Assert.True(MetricNames.TryParse("peak_ram_kb", out Metric m));
        Assert.Equal(Metric.PeakRamKb, m);
        Assert.False(MetricNames.TryParse("latency", out _));
        Assert.Throws<ArgumentException>(() => MetricNames.Parse("Latency_ms"));
        Assert.Equal(["train", "val", "test"], new[] { Split.Train, Split.Validation, Split.Test }.Select(Splits.Name));
        Assert.Equal(Split.Validation, Splits.FromFileName("val"));
        Assert.Null(Splits.FromFileName("Val"));
        Assert.Null(Splits.FromFileName("validation"));
        Assert.True(Splits.TryParse(" Validation ", out Split s) && s == Split.Validation);
        Assert.True(Splits.TryParse("TEST", out s) && s == Split.Test);
        Assert.False(Splits.TryParse("holdout", out _));
    }

    [Theory]
    [InlineData("cortex-m7", true)]
    [InlineData("ethos-u55-128", true)]
    [InlineData("titan_rtx_256", true)]
    [InlineData("1080ti_1", true)]
    [InlineData("My-Board", true)]
    [InlineData("my.board", false)] // '.' separates parameter names in the weights
    [InlineData("a/b", false)] // '/' separates target and metric in a head key
    [InlineData("-board", false)]
    [InlineData("_board", false)]
    [InlineData("", false)]
    [InlineData(" board", false)]
    [InlineData("board\n", false)] // a regex '$' would accept the trailing newline
    [InlineData("b\u00f6rd", false)]
    public void Target_names_follow_one_rule(string name, bool valid)
    {
        Assert.Equal(valid, TargetName.IsValid(name));
        Assert.Equal(valid, TargetName.Problem(name) is null);
    }

    [Fact]
    public void Target_names_are_at_most_64_characters_and_the_problem_names_the_target()
    {
        Assert.True(TargetName.IsValid(new string('a', 64)));
        Assert.False(TargetName.IsValid(new string('a', 65)));
        Assert.False(TargetName.IsValid(null));
        Assert.Equal("target 'my.board' is not a valid target name (letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters)",
            TargetName.Problem("my.board"));
    }
}
