using PerfSage.Graph;

// Writes the example models of models/examples/ from PerfSage's own code (OpGraphBuilder + GraphExporter,
// fixed seeds). Usage: PerfSage.Examples [OUTPUT_DIR] [--check]
//   OUTPUT_DIR  where to write (default: models/examples)
//   --check     write nothing; exit 1 when a file there differs from what the code writes
bool check = args.Contains("--check");
string[] positional = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
if (positional.Length > 1 || args.Any(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--check"))
{
    Console.Error.WriteLine("usage: PerfSage.Examples [OUTPUT_DIR] [--check]");
    return 2;
}
string outputDir = positional.Length == 1 ? positional[0] : Path.Combine("models", "examples");

var examples = new (string FileName, Func<byte[]> Write)[]
{
    (ExampleModels.KwsDsCnnInt8FileName, ExampleModels.WriteKwsDsCnnInt8),
};

int stale = 0;
foreach ((string fileName, Func<byte[]> write) in examples)
{
    string path = Path.Combine(outputDir, fileName);
    byte[] bytes = write();
    if (check)
    {
        bool same = File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes);
        Console.WriteLine($"{path}: {(same ? "up to date" : "differs from what the code writes")}");
        stale += same ? 0 : 1;
        continue;
    }
    Directory.CreateDirectory(outputDir);
    File.WriteAllBytes(path, bytes);
    Console.WriteLine($"{path}: {bytes.Length} bytes");
}
return stale == 0 ? 0 : 1;
