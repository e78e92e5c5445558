// The playground's entry point: the editor (app.ts) and the element that opens the engine (device-status.ts).
import './device-status';
import './app';
