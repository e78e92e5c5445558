// The playground's entry point. For now it only registers the element that opens the engine.
import './device-status';
