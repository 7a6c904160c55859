using System.Buffers.Binary;
using PerfSage.Tests.Common;

namespace PerfSage.Tflite.Tests;

/// <summary>
/// Generated corruptions of small real models (fixed seeds): every one is either refused with
/// <see cref="TfliteFormatException"/> or parses to a model that satisfies <see cref="ModelInvariants"/>.
/// Any other exception fails the test, naming the model, the corruption and the exception.
/// </summary>
public sealed class CorruptionTests
{
    /// <summary>Small models that between them use most of the schema: int8 FC, LSTM with omitted inputs
    /// and intermediates, control flow over five subgraphs, signatures, metadata, buffers outside the
    /// flatbuffer, a StableHLO composite, custom options, a sparse tensor and per-channel quantisation.</summary>
    private static readonly string[] Models =
    [
        "tflm/hello_world_int8.tflite",
        "litert/tflite_testdata/nested_while.bin",
        "litert/tflite_java_src_testdata/multi_signature_def.bin",
        "litert/litert_test_testdata/simple_group_norm_op.tflite",
        "tflm/person_detect_vela.tflite",
        "litert/tflite_converter_sparsity_testdata/sparse_tensor.bin",
        "tflm/micro_speech_lstm.tflite",
    ];

    private static List<(string Name, byte[] Bytes)> LoadModels()
    {
        var models = new List<(string, byte[])>();
        foreach (string relative in Models)
        {
            byte[] bytes = File.ReadAllBytes(SharedData.Require("models/" + relative));
            TfliteReader.Parse(bytes, relative); // the pristine file must parse
            models.Add((relative, bytes));
        }
        return models;
    }

    /// <summary>Parses <paramref name="bytes"/>; records any outcome other than a refusal or a sound model.</summary>
    private static void Probe(ReadOnlyMemory<byte> bytes, string what, List<string> failures, ref int rejected)
    {
        try
        {
            TfliteModel model = TfliteReader.Parse(bytes, what);
            List<string> violations = ModelInvariants.Violations(model);
            if (violations.Count > 0)
            {
                failures.Add($"{what}: accepted with violations: {string.Join("; ", violations.Take(3))}");
            }
        }
        catch (TfliteFormatException e)
        {
            rejected++;
            if (string.IsNullOrEmpty(e.FieldPath) || e.SourceName != what)
            {
                failures.Add($"{what}: exception without path or source: {e.Message}");
            }
        }
#pragma warning disable CA1031 // the point of the test: any other exception is a reader bug, reported with its input
        catch (Exception e)
#pragma warning restore CA1031
        {
            failures.Add($"{what}: {e.GetType().Name}: {e.Message}");
        }
    }

    private static void AssertNoFailures(List<string> failures, int probes)
    {
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {probes} corrupted inputs misbehaved:\n" + string.Join("\n", failures.Take(40)));
    }

    [SkippableFact]
    public void Truncation_at_any_length_is_refused_or_sound()
    {
        List<(string Name, byte[] Bytes)> models = LoadModels();
        var failures = new List<string>();
        int probes = 0, rejected = 0;
        foreach ((string name, byte[] bytes) in models)
        {
            TfliteModel pristine = TfliteReader.Parse(bytes, name);
            // every length for the first 4 kB and the last 512 bytes, then 400 lengths spread over the rest
            var lengths = new SortedSet<int>(Enumerable.Range(0, Math.Min(bytes.Length, 4096)));
            lengths.UnionWith(Enumerable.Range(Math.Max(0, bytes.Length - 512), Math.Min(bytes.Length, 512)));
            for (int i = 0; i < 400; i++)
            {
                lengths.Add((int)((long)bytes.Length * i / 400));
            }
            foreach (int length in lengths)
            {
                string what = $"{name} truncated to {length}";
                int before = rejected;
                Probe(bytes.AsMemory(0, length), what, failures, ref rejected);
                probes++;
                if (rejected == before)
                {
                    // Accepted: only trailing bytes nothing refers to (padding after the last buffer) may go,
                    // so the model must be the pristine one.
                    TfliteModel cut = TfliteReader.Parse(bytes.AsMemory(0, length), what);
                    if (Shape(cut) != Shape(pristine))
                    {
                        failures.Add($"{what}: accepted as a different model {Shape(cut)} vs {Shape(pristine)}");
                    }
                }
            }
        }
        AssertNoFailures(failures, probes);
        // Flatbuffers are written back to front: cutting the end removes what the root table reaches.
        // Only the two files with trailing padding (52 bytes and 1 byte) may survive a cut.
        Assert.True(rejected >= probes - 53, $"only {rejected} of {probes} truncations were refused");
    }

    private static string Shape(TfliteModel model) =>
        $"{model.Subgraphs.Count}/{model.Subgraphs.Sum(s => s.Tensors.Count)}/{model.Subgraphs.Sum(s => s.Operators.Count)}/{model.Buffers.Sum(b => b.Data.Length)}";

    [SkippableFact]
    public void Random_byte_changes_are_refused_or_sound()
    {
        List<(string Name, byte[] Bytes)> models = LoadModels();
        var random = new Random(20_251_125);
        var failures = new List<string>();
        const int Probes = 12_000;
        int rejected = 0;
        for (int i = 0; i < Probes; i++)
        {
            (string name, byte[] original) = models[i % models.Count];
            byte[] bytes = (byte[])original.Clone();
            // 1 to 4 changes: a flipped bit or a random byte; half of them in the first 512 bytes,
            // where the root table, vtables and offsets of small models live.
            int changes = 1 + random.Next(4);
            var where = new List<string>(changes);
            for (int c = 0; c < changes; c++)
            {
                int at = random.Next(2) == 0 ? random.Next(Math.Min(512, bytes.Length)) : random.Next(bytes.Length);
                if (random.Next(2) == 0)
                {
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }
                else
                {
                    bytes[at] = (byte)random.Next(256);
                }
                where.Add(at.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            Probe(bytes, $"{name} #{i} changed at {string.Join(",", where)}", failures, ref rejected);
        }
        AssertNoFailures(failures, Probes);
        Assert.True(rejected > Probes / 20, $"only {rejected} of {Probes} changes were refused: the checks look inert");
    }

    [SkippableFact]
    public void Overwritten_offsets_and_vtable_entries_are_refused_or_sound()
    {
        List<(string Name, byte[] Bytes)> models = LoadModels();
        var random = new Random(7_340_033);
        var failures = new List<string>();
        const int Probes = 6_000;
        int rejected = 0;
        for (int i = 0; i < Probes; i++)
        {
            (string name, byte[] original) = models[i % models.Count];
            byte[] bytes = (byte[])original.Clone();
            string what;
            if (i % 3 == 2)
            {
                // a 16-bit vtable entry (size, inline size or field offset) at an even position
                int at = 2 * random.Next(bytes.Length / 2);
                ushort value = (ushort)(random.Next(3) switch { 0 => 0, 1 => random.Next(64), _ => random.Next(65536) });
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), value);
                what = $"{name} #{i} u16 {value} at {at}";
            }
            else
            {
                // a 32-bit word at an aligned position (uoffsets, soffsets, vector lengths, indices):
                // hostile values pointing at itself, just past it, at the end, far away, or negative
                int at = 4 * random.Next(bytes.Length / 4);
                uint value = random.Next(8) switch
                {
                    0 => 0u,
                    1 => 4u,
                    2 => (uint)(bytes.Length - at),
                    3 => (uint)(bytes.Length - at - 4),
                    4 => 0x8000_0000u,
                    5 => 0xFFFF_FFFFu,
                    6 => (uint)random.Next(256),
                    _ => (uint)random.Next(),
                };
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
                what = $"{name} #{i} u32 {value} at {at}";
            }
            Probe(bytes, what, failures, ref rejected);
        }
        AssertNoFailures(failures, Probes);
        Assert.True(rejected > Probes / 20, $"only {rejected} of {Probes} overwrites were refused: the checks look inert");
    }
}
