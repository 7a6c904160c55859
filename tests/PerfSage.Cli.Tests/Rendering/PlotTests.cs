using System.Buffers.Binary;
using System.Text.Json;
using SkiaSharp;

namespace PerfSage.Cli.Tests;

/// <summary>
/// <c>estimate --plot</c> and <c>predict --plot</c>, checked on the PNG read back: the file signature and the IHDR
/// size (PNG specification, ISO/IEC 15948:2004 §5.2 and §11.2.2: the 8-byte signature, then the IHDR chunk — 4-byte
/// length 13, the type "IHDR", width and height as big-endian 32-bit integers), and pixels decoded with SkiaSharp:
/// not blank, and the documented colours of what is drawn present (docs/PLOTS.md).
/// </summary>
[Collection(TinyModelGroup.Name)]
public class PlotTests(TinyModelFixture tiny)
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static string Example => Path.Combine(SharedData.RepoRoot, "models", "examples", "kws_dscnn_int8.tflite");

    /// <summary>The fill colours docs/PLOTS.md gives for each bound (the Okabe-Ito palette).</summary>
    private static readonly Dictionary<string, SKColor> BoundColours = new(StringComparer.Ordinal)
    {
        ["compute"] = new SKColor(0x00, 0x72, 0xB2),
        ["sram"] = new SKColor(0xE6, 0x9F, 0x00),
        ["flash"] = new SKColor(0x00, 0x9E, 0x73),
        ["dram"] = new SKColor(0xD5, 0x5E, 0x00),
        ["overhead"] = new SKColor(0xCC, 0x79, 0xA7),
    };

    /// <summary>Width and height from the IHDR chunk, after checking the signature and the chunk's length and type.</summary>
    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.Length > 33, $"{png.Length} bytes");
        Assert.Equal(PngSignature, png[..8]);
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(8, 4)));
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }

    /// <summary>How many pixels of each colour the decoded picture holds.</summary>
    private static Dictionary<SKColor, int> Histogram(byte[] png, int width, int height)
    {
        using SKBitmap bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        var counts = new Dictionary<SKColor, int>();
        foreach (SKColor pixel in bitmap.Pixels)
        {
            counts[pixel] = counts.GetValueOrDefault(pixel) + 1;
        }
        return counts;
    }

    /// <summary>Not blank: many colours (text is anti-aliased, bars filled), and no single colour covering almost all.</summary>
    private static void AssertNotBlank(Dictionary<SKColor, int> histogram, int pixels)
    {
        Assert.True(histogram.Count > 50, $"only {histogram.Count} distinct colours");
        int background = histogram.Values.Max();
        Assert.True(background < 0.95 * pixels, $"one colour covers {background} of {pixels} pixels");
    }

    [Fact]
    public void Estimate_plot_has_one_640x440_panel_per_target_side_by_side_and_the_colour_of_every_bound_it_reports()
    {
        using var tmp = new ScratchFolder();
        string png = Path.Combine(tmp.Path, "plots", "kws.png"); // the folder does not exist yet: it is created
        (int code, string stdout, string stderr) = CliRunner.Run(
            "estimate", Example, "-t", "ethos-u55-128", "-t", "cortex-m7", "-t", "mali-g76", "--per-layer", "--plot", png, "-f", "json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout); // the plot leaves JSON on stdout untouched

        // Three panels of 640 × 440 px, three side by side (docs/PLOTS.md): 1920 × 440.
        byte[] bytes = File.ReadAllBytes(png);
        (int width, int height) = PngSize(bytes);
        Assert.Equal((1920, 440), (width, height));
        Dictionary<SKColor, int> histogram = Histogram(bytes, width, height);
        AssertNotBlank(histogram, width * height);

        // Every bound the estimate reports has its colour on the picture (solid NPU bars and the stripes' and dots'
        // background keep the exact fill colour); bounds it does not report are absent.
        var bounds = doc.RootElement.EnumerateArray()
            .SelectMany(t => t.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("bound").GetString()!))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("overhead", bounds); // the Mali GPU's small layers: the colour check below covers more than one bound
        Assert.Contains("compute", bounds);
        foreach ((string bound, SKColor colour) in BoundColours)
        {
            int count = histogram.GetValueOrDefault(colour);
            if (bounds.Contains(bound))
            {
                Assert.True(count > 200, $"{bound}: {count} pixels of {colour}");
            }
            else
            {
                Assert.True(count == 0, $"{bound} is not reported but {count} pixels have its colour {colour}");
            }
        }
    }

    [Fact]
    public void Estimate_plot_without_per_layer_still_draws_the_layers_and_names_the_file_in_the_table()
    {
        using var tmp = new ScratchFolder();
        string png = tmp.Sub("one.png");
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", Example, "-t", "cortex-m7", "--plot", png);
        Assert.True(code == 0, stderr);
        Assert.EndsWith($"plot: {png}", stdout.TrimEnd());
        Assert.DoesNotContain("per layer:", stdout);
        // One panel: 640 × 440.
        (int width, int height) = PngSize(File.ReadAllBytes(png));
        Assert.Equal((640, 440), (width, height));

        // Four targets: three columns, two rows (the last one partly empty): 1920 × 880.
        (code, _, stderr) = CliRunner.Run("estimate", Example, "-t", "cortex-m4", "cortex-m7", "ethos-u55-64", "adreno-640", "--plot", png, "-f", "csv");
        Assert.True(code == 0, stderr);
        byte[] bytes = File.ReadAllBytes(png);
        (width, height) = PngSize(bytes);
        Assert.Equal((1920, 880), (width, height));
        AssertNotBlank(Histogram(bytes, width, height), width * height);
    }

    [Fact]
    public void Estimate_plot_of_more_than_24_panels_exits_2_before_writing()
    {
        using var tmp = new ScratchFolder();
        string png = tmp.Sub("many.png");
        // 20 catalog targets × 2 models = 40 panels > 24.
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", Example, Example, "--all-targets", "--plot", png);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            ["perfsage: error: --plot draws at most 24 panels (one per model and target); 2 model(s) × 20 target(s) make 40: name fewer"],
            stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(png));
    }

    [Fact]
    public void Estimate_plot_onto_a_folder_or_the_model_exits_2_and_writes_nothing()
    {
        using var tmp = new ScratchFolder();
        string folder = tmp.Sub("plot.png");
        Directory.CreateDirectory(folder);
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", Example, "-t", "cortex-m7", "--plot", folder);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            [$"perfsage: error: {folder}: is a folder; --plot must name a regular file or a new one (PerfSage writes a new file and renames it into place)"],
            stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        Assert.Equal([folder], Directory.EnumerateFileSystemEntries(tmp.Path));

        string model = tmp.Sub("m.tflite");
        File.Copy(Example, model);
        byte[] before = File.ReadAllBytes(model);
        (code, stdout, stderr) = CliRunner.Run("estimate", model, "-t", "cortex-m7", "--plot", model);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            [$"perfsage: error: {model}: is one of this command's inputs ({model}); --plot must name another file"],
            stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [SkippableFact]
    public void Estimate_plot_onto_a_device_or_a_named_pipe_exits_2_without_writing_or_hanging()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "devices and mkfifo are Linux-only here");
        const string Rule = "--plot must name a regular file or a new one (PerfSage writes a new file and renames it into place)";
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", Example, "-t", "cortex-m7", "--plot", "/dev/null");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal([$"perfsage: error: /dev/null: is a character device; {Rule}"], stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        using var tmp = new ScratchFolder();
        string fifo = tmp.Sub("plot.png");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        // Opening a FIFO for writing blocks until a reader comes: the check must refuse it without opening it.
        Task<(int, string, string)> run = Task.Run(() => CliRunner.Run("estimate", Example, "-t", "cortex-m7", "--plot", fifo));
        Assert.True(run.Wait(TimeSpan.FromMinutes(2)), "estimate --plot FIFO did not return");
        (code, stdout, stderr) = run.Result;
        Assert.Equal(2, code);
        Assert.Equal([$"perfsage: error: {fifo}: is a named pipe (FIFO); {Rule}"], stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(PerfSage.IO.FileKind.Fifo, PerfSage.IO.FileProbe.Stat(fifo, followLinks: false).Kind);
    }

    [SkippableFact]
    public void Estimate_plot_through_a_symbolic_link_writes_the_file_it_points_to()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links are created here on Linux only");
        using var tmp = new ScratchFolder();
        string real = tmp.Sub("real.png");
        File.WriteAllText(real, "old");
        string link = tmp.Sub("link.png");
        File.CreateSymbolicLink(link, real);
        (int code, _, string stderr) = CliRunner.Run("estimate", Example, "-t", "cortex-m7", "--plot", link);
        Assert.True(code == 0, stderr);
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Assert.Equal((640, 440), PngSize(File.ReadAllBytes(real)));
    }

    [Fact]
    public void Predict_plot_has_a_row_of_four_metric_panels_per_target_with_both_bar_colours()
    {
        using var tmp = new ScratchFolder();
        string png = tmp.Sub("predict.png");
        (int code, string stdout, string stderr) = CliRunner.Run(
            "predict", tiny.Graph(1), tiny.Graph(2), "-t", "cortex-m7", "ethos-u55-128", "--model", tiny.Model, "--plot", png);
        Assert.True(code == 0, stderr);
        Assert.EndsWith($"plot: {png}", stdout.TrimEnd());
        // Two targets: two rows of four 420 × 360 px panels (docs/PLOTS.md): 1680 × 720.
        byte[] bytes = File.ReadAllBytes(png);
        (int width, int height) = PngSize(bytes);
        Assert.Equal((1680, 720), (width, height));
        Dictionary<SKColor, int> histogram = Histogram(bytes, width, height);
        AssertNotBlank(histogram, width * height);
        // Predicted bars blue, reference bars orange (docs/PLOTS.md): 2 models × 8 panels of each.
        Assert.True(histogram.GetValueOrDefault(new SKColor(0x00, 0x72, 0xB2)) > 2000, "predicted (blue) bars");
        Assert.True(histogram.GetValueOrDefault(new SKColor(0xE6, 0x9F, 0x00)) > 2000, "reference (orange) bars");
    }

    [Fact]
    public void Predict_plot_onto_a_file_of_the_model_folder_or_a_folder_exits_2_and_leaves_it_alone()
    {
        using var tmp = new ScratchFolder();
        string manifest = Path.Combine(tiny.Model, "manifest.json");
        byte[] before = File.ReadAllBytes(manifest);
        (int code, string stdout, string stderr) = CliRunner.Run("predict", tiny.Graph(1), "-t", "cortex-m7", "--model", tiny.Model, "--plot", manifest);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            [$"perfsage: error: {manifest}: is one of this command's inputs ({manifest}); --plot must name another file"],
            stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(before, File.ReadAllBytes(manifest));

        string folder = tmp.Sub("out");
        Directory.CreateDirectory(folder);
        (code, _, stderr) = CliRunner.Run("predict", tiny.Graph(1), "-t", "cortex-m7", "--model", tiny.Model, "--plot", folder);
        Assert.Equal(2, code);
        Assert.Contains($"{folder}: is a folder; --plot must name a regular file", stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }
}
