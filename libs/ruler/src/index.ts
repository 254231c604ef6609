export { RulerModule } from './ruler.module';
export { rulerService } from './ruler.definition';
export { RulerService } from './ruler.service';
