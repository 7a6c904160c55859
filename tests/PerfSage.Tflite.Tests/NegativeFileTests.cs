using PerfSage.Tests.Common;

namespace PerfSage.Tflite.Tests;

/// <summary>Real files that are not valid TFLite models: each is refused with the reader's one exception.</summary>
public sealed class NegativeFileTests
{
    [SkippableTheory]
    [InlineData("models/litert/_negative")]
    [InlineData("models/litert/_not_tflite")]
    public void Every_file_is_rejected_with_TfliteFormatException(string folder)
    {
        string dir = SharedData.Require(folder);
        string[] files = Directory.GetFiles(dir);
        Assert.NotEmpty(files);
        var accepted = new List<string>();
        foreach (string file in files)
        {
            try
            {
                TfliteReader.ReadFile(file);
                accepted.Add(Path.GetFileName(file));
            }
            catch (TfliteFormatException e)
            {
                Assert.Equal(file, e.SourceName);
                Assert.False(string.IsNullOrEmpty(e.FieldPath));
            }
        }
        Assert.True(accepted.Count == 0, "accepted: " + string.Join(", ", accepted));
    }

    [SkippableFact]
    public void The_broken_flatbuffer_is_rejected_even_with_a_TFL3_identifier()
    {
        // test_model_broken.bin has no identifier, so the first check refuses it; written over with
        // "TFL3", it must still be refused by the structural checks behind that one.
        byte[] bytes = File.ReadAllBytes(SharedData.Require("models/litert/_negative/test_model_broken.bin"));
        "TFL3"u8.CopyTo(bytes.AsSpan(4));
        TfliteFormatException e = Assert.Throws<TfliteFormatException>(() => TfliteReader.Parse(bytes, "broken"));
        Assert.NotEqual("<file_identifier>", e.FieldPath);
    }
}
