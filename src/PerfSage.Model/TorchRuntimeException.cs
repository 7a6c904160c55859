namespace PerfSage.Model;

/// <summary>libtorch could not be loaded or initialised. The message says why and where the fix is documented.</summary>
public sealed class TorchRuntimeException : PerfSageException
{
    public TorchRuntimeException() { }

    public TorchRuntimeException(string message) : base(message) { }

    public TorchRuntimeException(string message, Exception inner) : base(message, inner) { }
}
