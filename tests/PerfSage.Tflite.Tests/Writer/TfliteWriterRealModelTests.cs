using PerfSage.Tests.Common;

namespace PerfSage.Tflite.Tests.Writer;

/// <summary>
/// Real converter output from <c>../shared/models</c>: parse → write → parse gives the same object model
/// (tensors, shapes, types, quantisation, operators, options, buffer bytes, signatures, metadata).
/// </summary>
public sealed class TfliteWriterRealModelTests
{
    [SkippableTheory]
    [InlineData("mlperf_tiny/kws_ref_model.tflite")]              // int8 DS-CNN, per-channel weights, legacy opcodes
    [InlineData("mlperf_tiny/kws_ref_model_float32.tflite")]
    [InlineData("mlperf_tiny/vww_96_int8.tflite")]
    [InlineData("mlperf_tiny/pretrainedResnet_quant.tflite")]     // residual ADDs
    [InlineData("mlperf_tiny/model_ToyCar.tflite")]               // float FC autoencoder, only deprecated_builtin_code
    [InlineData("tflm/person_detect_vela.tflite")]                // CUSTOM:ethos-u with custom options
    [InlineData("tflm/trained_lstm_int8.tflite")]
    [InlineData("tflm/keyword_scrambled.tflite")]                 // SVDF, variable tensors
    [InlineData("litert/tflite_testdata/multi_subgraphs_while.bin")]          // WHILE, 3 subgraphs
    [InlineData("litert/litert_test_testdata/simple_group_norm_op.tflite")]   // STABLEHLO_COMPOSITE, buffers outside the flatbuffer
    [InlineData("litert/tflite_converter_quantization_lite_testdata/transpose.bin")] // schema version 2
    public void Real_model_parses_writes_and_parses_to_the_same_object_model(string relative)
    {
        string path = SharedData.Require(Path.Combine("models", relative));
        TfliteModel original = TfliteReader.ReadFile(path);

        byte[] written = TfliteWriter.Write(original);
        TfliteModel reread = TfliteReader.Parse(written, "rewritten " + relative);

        ModelComparer.AssertSame(original, reread);
        Assert.Equal(3u, reread.Version);
        Assert.Equal(written, TfliteWriter.Write(reread)); // deterministic: a fixed point after one rewrite
    }

    [SkippableFact]
    public void Every_inventory_model_the_object_model_can_carry_round_trips()
    {
        string inventory = SharedData.Require("models/inventory.csv");
        string modelsDir = Path.GetDirectoryName(inventory)!;
        IReadOnlyList<InventoryRow> rows = InventoryRow.Load(inventory);

        var problems = new List<string>();
        int roundTripped = 0, sparse = 0;
        foreach (InventoryRow row in rows)
        {
            TfliteModel original = TfliteReader.ReadFile(Path.Combine(modelsDir, row.File));
            if (original.Subgraphs.Any(s => s.Tensors.Any(t => t.IsSparse)))
            {
                // Sparsity parameters are not in the object model; the writer refuses such tensors.
                Assert.Throws<ArgumentException>(() => TfliteWriter.Write(original));
                sparse++;
                continue;
            }
            TfliteModel reread = TfliteReader.Parse(TfliteWriter.Write(original), "rewritten " + row.File);
            List<string> differences = ModelComparer.Differences(original, reread);
            problems.AddRange(differences.Take(5).Select(d => $"{row.File}: {d}"));
            roundTripped++;
        }

        Assert.True(problems.Count == 0, $"{problems.Count} differences:\n" + string.Join("\n", problems.Take(60)));
        // The inventory's notes list 2 files with sparse tensors (one a copy of the other).
        Assert.Equal(2, sparse);
        Assert.Equal(rows.Count - 2, roundTripped);
    }
}
