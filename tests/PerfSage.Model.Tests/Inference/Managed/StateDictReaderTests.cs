using PerfSage.Model.Inference.Managed;
using Xunit;

namespace PerfSage.Model.Tests.Inference.Managed;

/// <summary>weights.bin read without TorchSharp: the bytes are written here by hand from the format (TorchSharp 0.107's
/// <c>Module.save</c>: LEB128 entry count; per entry a LEB128-length UTF-8 name, LEB128 dtype (6 = float32), LEB128 rank and
/// dimensions, raw little-endian floats).</summary>
public sealed class StateDictReaderTests
{
    /// <summary>One entry "w" of shape [1, 2] holding 1.5 and -2 (0x3FC00000 and 0xC0000000, little-endian).</summary>
    private static readonly byte[] OneEntry =
    [
        0x01,                       // 1 entry
        0x01, (byte)'w',            // name "w"
        0x06,                       // float32
        0x02, 0x01, 0x02,           // rank 2: [1, 2]
        0x00, 0x00, 0xC0, 0x3F,     // 1.5f
        0x00, 0x00, 0x00, 0xC0,     // -2f
    ];

    [Fact]
    public void A_hand_written_state_dictionary_reads_back()
    {
        Dictionary<string, StateTensor> state = StateDictReader.Read(OneEntry, "w.bin");
        StateTensor w = Assert.Single(state.Values);
        Assert.Equal("w", Assert.Single(state.Keys));
        Assert.Equal([1L, 2L], w.Shape);
        Assert.Equal([1.5f, -2f], w.Values);
    }

    [Fact]
    public void A_dimension_of_200_takes_two_LEB128_bytes()
    {
        // 200 = 0b1_1001000: low seven bits 0x48 with the continuation bit (0xC8), then 0x01.
        byte[] bytes = [0x01, 0x01, (byte)'v', 0x06, 0x01, 0xC8, 0x01, .. new byte[800]];
        Assert.Equal([200L], StateDictReader.Read(bytes, "v.bin")["v"].Shape);
    }

    [Theory]
    [InlineData(11, "needs 8 bytes, 4 are left")]      // 7 header bytes, then 4 of the 8 value bytes
    [InlineData(3, "the file ends inside a number")]   // cut before the dtype
    public void A_truncated_file_is_refused_naming_it(int length, string why)
    {
        var e = Assert.Throws<ModelFormatException>(() => StateDictReader.Read(OneEntry[..length], "cut.bin"));
        Assert.StartsWith("cut.bin: weights file is not a float32 state dictionary", e.Message, StringComparison.Ordinal);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_dtype_trailing_bytes_and_impossible_sizes_are_refused()
    {
        byte[] float64 = [.. OneEntry];
        float64[3] = 0x07;
        Assert.Contains("dtype 7", Assert.Throws<ModelFormatException>(() => StateDictReader.Read(float64, "x.bin")).Message, StringComparison.Ordinal);
        Assert.Contains("1 bytes follow the last parameter",
            Assert.Throws<ModelFormatException>(() => StateDictReader.Read([.. OneEntry, 0x00], "x.bin")).Message, StringComparison.Ordinal);
        // A dimension of 2^62 must not allocate: refused against the file's size.
        byte[] huge = [0x01, 0x01, (byte)'h', 0x06, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];
        Assert.Contains("dimension", Assert.Throws<ModelFormatException>(() => StateDictReader.Read(huge, "x.bin")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_weights_hold_the_60_heads_and_the_trunk()
    {
        string path = Path.Combine(ManagedParityTests.ShippedModel, "weights.bin");
        Dictionary<string, StateTensor> state = StateDictReader.Read(File.ReadAllBytes(path), path);
        // Trunk: embedding 1 + node encoder 4 + 3 layers × (conv 4 + norm 2) + graph encoder 4 = 27; heads 60 × 6 = 360
        // (15 targets × 4 metrics).
        Assert.Equal(27 + 360, state.Count);
        Assert.Equal([213L, 32L], state["op_embedding.weight"].Shape);
    }
}
