using PerfSage.Dataset.Spaces;
using PerfSage.Dataset.Tests.Build;
using PerfSage.Graph;

namespace PerfSage.Dataset.Tests.Import.Tools;

/// <summary>A scratch folder holding a copy of one fixture folder (Fixtures/&lt;tool&gt;, copied beside the test assembly)
/// and the models its files name, written by the exporter from kws search-space samples.</summary>
internal sealed class ToolFixture : IDisposable
{
    private readonly TempFolder _root = new("tools");

    public ToolFixture(string tool)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "Fixtures", tool);
        if (!Directory.Exists(source))
        {
            throw new InvalidOperationException($"fixture folder {source} is missing (Fixtures/** is copied to the output)");
        }
        Copy(source, Input);
        Directory.CreateDirectory(Models);
    }

    /// <summary>The copy of the fixture folder.</summary>
    public string Input => _root.Sub("input");

    /// <summary>The folder of generated models (<c>--models</c>).</summary>
    public string Models => _root.Sub("models");

    /// <summary>The dataset folder an import writes.</summary>
    public string Out => _root.Sub("out");

    public string Sub(string name) => _root.Sub(name);

    /// <summary>Writes <c>NAME.tflite</c> for each name: the kws sample of that index under <paramref name="seed"/>.</summary>
    public void WriteModels(IEnumerable<string> names, ulong seed = 1, string? dir = null)
    {
        dir ??= Models;
        Directory.CreateDirectory(dir);
        int i = 0;
        foreach (string name in names)
        {
            File.WriteAllBytes(Path.Combine(dir, name + ".tflite"), GraphExporter.Write(SearchSpaces.Get("kws").Sample(seed, i++).Graph, (int)seed));
        }
    }

    public static IEnumerable<string> Nets(int count) => Enumerable.Range(0, count).Select(i => $"net{i:D2}");

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (string dir in Directory.GetDirectories(from))
        {
            Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    public void Dispose() => _root.Dispose();
}
