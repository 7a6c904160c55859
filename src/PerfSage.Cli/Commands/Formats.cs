using System.CommandLine;

namespace PerfSage.Cli.Commands;

/// <summary>The <c>--format</c> option in its several flavours.</summary>
internal static class Formats
{
    public static Option<string> Option(params string[] allowed)
    {
        var option = new Option<string>("--format", "-f")
        {
            Description = "Output format: " + string.Join(", ", allowed) + ".",
            DefaultValueFactory = _ => allowed[0],
        };
        option.AcceptOnlyFromAmong(allowed);
        return option;
    }
}
